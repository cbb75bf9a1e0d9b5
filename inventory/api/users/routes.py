"""Users: administrators add people and give them roles."""

from __future__ import annotations

from ...auth import requires
from ...permissions import Permission
from ...schemas.users import NewUserSchema, UserCreateArgs, UserSchema
from ...services import users as user_service
from ..common import Blueprint

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users and roles (admins)")


@blp.route("", methods=["GET"])
@requires(Permission.MANAGE_USERS)
@blp.response(200, UserSchema(many=True))
def list_users():
    return user_service.list_users()


@blp.route("", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@blp.arguments(UserCreateArgs())
@blp.response(201, NewUserSchema)
def create_user(args):
    given = args["password"]
    user, password = user_service.create_user(
        args["email"], args["role"], name=args["name"], organisation=args["organisation"], password=given
    )
    # Kept on the object for this response only; never stored.
    user.shown_password = password if given is None else None  # type: ignore[attr-defined]  # not a column
    return user
