"""What the users API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import clock
from ..models import Role, as_utc
from ..services.passwords import MAX_LENGTH
from .common import Derived, code_of
from .fields import Choice, Text, cursor_field


class UserSchema(Schema):
    id = fields.Int()
    email = fields.Str()
    name = fields.Str()
    role = fields.Str()
    organisation = Derived(lambda u: code_of(u.organisation), nullable=True)
    active = fields.Bool()
    mfa_enabled = fields.Bool(metadata={"description": "signs in with an authenticator app's code too"})
    must_change_password = fields.Bool(metadata={"description": "signed in with a one-time password from a reset"})
    locked = Derived(
        lambda u: u.locked_until is not None and as_utc(u.locked_until) > clock.now(),
        type="boolean",
        description="refused sign-in for a while after too many wrong passwords",
    )


class NewUserSchema(UserSchema):
    password = Derived(
        lambda u: getattr(u, "shown_password", None),
        nullable=True,
        description="Only when the service generated it; shown once.",
    )


class UserCreateArgs(Schema):
    email = Text(254, required=True)
    name = Text(200, load_default="")
    role = Choice(Role, required=True)
    organisation = Text(20, load_default=None, allow_none=True)
    password = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_LENGTH),
        metadata={"description": "leave out to generate one; else 12 to 256 characters, not easy to guess"},
    )


class ResetPasswordSchema(UserSchema):
    password = Derived(
        lambda u: u.shown_password, description="The one-time password: shown once, changed at next sign-in."
    )


class UserListArgs(Schema):
    cursor = cursor_field()
