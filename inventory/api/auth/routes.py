"""Tokens: sign in with email and password for a bearer token; revoke the one in use; change one's password."""

from __future__ import annotations

from flask import current_app, request

from ... import clock
from ...auth import bearer_token, current_user, requires, revoke, tokens
from ...permissions import Permission
from ...schemas.auth import (
    MfaConfirmArgs,
    MfaSecretSchema,
    PasswordChangeArgs,
    RecoveryCodesSchema,
    SignInArgs,
    TokenSchema,
)
from ...services import mfa
from ...services import sso as sso_service
from ...services import users as user_service
from ..common import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="API tokens and one's own password")


@blp.route("/tokens", methods=["POST"])
@blp.arguments(SignInArgs())
@blp.response(201, TokenSchema)
@blp.alt_response(403, description="Password sign-in is turned off (PASSWORD_SIGN_IN=false)")
@blp.alt_response(401, description="The email or password is wrong, or the account is deactivated")
@blp.alt_response(429, description="Too many wrong passwords for the account or from this address (see Retry-After)")
@blp.doc(security=[])
def create_token(args):
    sso_service.check_password_sign_in(current_app.config["PASSWORD_SIGN_IN"])
    now = clock.now()
    user, token, expires_at = user_service.sign_in(
        args["email"], args["password"], args["otp"], address=request.remote_addr or "", now=now
    )
    return {"token": token, "role": user.role.value, "expires_at": expires_at.isoformat()}


@blp.route("/tokens/current", methods=["DELETE"])
@requires(Permission.LOOK_UP)
@blp.response(204)
def revoke_current_token():
    """Revoke the token this request was made with (sign out)."""
    revoke(bearer_token())
    return "", 204


@blp.route("/password", methods=["POST"])
@requires(Permission.LOOK_UP)
@blp.arguments(PasswordChangeArgs())
@blp.response(204)
def change_password(args):
    """Change your own password. Your other tokens and web sessions end; this token keeps working."""
    token = bearer_token()
    user_service.change_password(current_user().id, args["current_password"], args["new_password"], keep_token=token)
    tokens.clear()  # this worker forgets at once what it knew (others within a second)
    return "", 204


@blp.route("/mfa", methods=["POST"])
@requires(Permission.LOOK_UP)
@blp.response(201, MfaSecretSchema)
def begin_mfa():
    """Start setting up an authenticator app: its secret, and the same as a URI for a QR code."""
    secret, uri = mfa.begin(user_service.get_user_by_id(current_user().id, for_update=True))
    return {"secret": secret, "otpauth_uri": uri}


@blp.route("/mfa/confirm", methods=["POST"])
@requires(Permission.LOOK_UP)
@blp.arguments(MfaConfirmArgs())
@blp.response(200, RecoveryCodesSchema)
def confirm_mfa(args):
    """Switch the second factor on with a code from the app; answers ten recovery codes, shown once."""
    user = user_service.get_user_by_id(current_user().id, for_update=True)
    codes = mfa.confirm(user, args["code"], clock.now())
    tokens.clear()
    return {"recovery_codes": codes}
