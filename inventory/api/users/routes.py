"""Users: administrators add people and give them roles."""

from __future__ import annotations

from marshmallow import Schema, fields

from ...auth import requires
from ...models import Role
from ...permissions import Permission
from ...services import users as user_service
from ..common import Blueprint, Choice, Text, code_of

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users and roles (admins)")


class UserSchema(Schema):
    email = fields.Str()
    name = fields.Str()
    role = fields.Str()
    organisation = fields.Function(lambda u: code_of(u.organisation))
    active = fields.Bool()


class NewUserSchema(UserSchema):
    password = fields.Function(
        lambda u: getattr(u, "shown_password", None),
        metadata={"description": "Only when the service generated it; shown once."},
    )


class UserCreateArgs(Schema):
    email = Text(254, required=True)
    name = Text(200, load_default="")
    role = Choice(Role, required=True)
    organisation = Text(20, load_default=None, allow_none=True)
    password = fields.Str(load_default=None, allow_none=True, validate=lambda v: len(v) <= 1024)


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
