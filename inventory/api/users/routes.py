"""Users: administrators add people, give them roles, and stop, reset or unlock their accounts."""

from __future__ import annotations

from ...auth import current_user, requires, tokens
from ...permissions import Permission
from ...schemas.users import NewUserSchema, ResetPasswordSchema, UserCreateArgs, UserListArgs, UserSchema
from ...services import users as user_service
from ..common import LIST_HEADERS, Blueprint, paginate_by_cursor

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users and roles (admins)")


@blp.route("", methods=["GET"])
@requires(Permission.MANAGE_USERS)
@blp.arguments(UserListArgs(), location="query")
@blp.response(200, UserSchema(many=True), headers=LIST_HEADERS)
@blp.paginate()
def list_users(args, pagination_parameters):
    """Users by email, 50 a page by default; follow X-Next-Cursor (or the Link header) for the next."""
    return paginate_by_cursor(
        lambda after: user_service.user_query(after=after),
        pagination_parameters,
        cursor=args.get("cursor"),
        filters={},
        key_of=user_service.user_key,
    )


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


@blp.route("/<id:user_id>/deactivate", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@blp.response(200, UserSchema)
def deactivate(user_id):
    """A leaver: they cannot sign in, and every token and web session of theirs stops at once."""
    user = user_service.deactivate(user_id, current_user())
    tokens.clear()
    return user


@blp.route("/<id:user_id>/reactivate", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@blp.response(200, UserSchema)
def reactivate(user_id):
    return user_service.reactivate(user_id)


@blp.route("/<id:user_id>/reset-password", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@blp.response(200, ResetPasswordSchema)
def reset_password(user_id):
    """A one-time password (shown once) that the user must change at their next sign-in. Their
    tokens and web sessions end."""
    user, password = user_service.reset_password(user_id, current_user())
    user.shown_password = password  # type: ignore[attr-defined]  # for this response only
    tokens.clear()
    return user


@blp.route("/<id:user_id>/remove-second-factor", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@blp.response(200, UserSchema)
def remove_second_factor(user_id):
    """For someone who lost their phone and their recovery codes: the password alone signs them in
    again, and they set up a new authenticator. Their tokens and web sessions end."""
    user = user_service.remove_second_factor(user_id, current_user())
    tokens.clear()
    return user


@blp.route("/<id:user_id>/unlock", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@blp.response(200, UserSchema)
def unlock(user_id):
    """Let a locked-out user try again now rather than in 15 minutes."""
    return user_service.unlock(user_id)
