"""Tokens: sign in with email and password for a bearer token; revoke the one in use."""

from __future__ import annotations

from flask import current_app

from ...auth import bearer_token, requires, revoke
from ...permissions import Permission
from ...schemas.auth import SignInArgs, TokenSchema
from ...services import sso as sso_service
from ...services import users as user_service
from ..common import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="API tokens")


@blp.route("/tokens", methods=["POST"])
@blp.arguments(SignInArgs())
@blp.response(201, TokenSchema)
@blp.alt_response(403, description="Password sign-in is turned off (PASSWORD_SIGN_IN=false)")
@blp.doc(security=[])
def create_token(args):
    sso_service.check_password_sign_in(current_app.config["PASSWORD_SIGN_IN"])
    user, token = user_service.sign_in(args["email"], args["password"])
    return {"token": token, "role": user.role.value}


@blp.route("/tokens/current", methods=["DELETE"])
@requires(Permission.LOOK_UP)
@blp.response(204)
def revoke_current_token():
    """Revoke the token this request was made with (sign out)."""
    revoke(bearer_token())
    return "", 204
