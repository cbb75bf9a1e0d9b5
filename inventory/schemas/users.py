"""What the users API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..models import Role
from .common import Derived, code_of
from .fields import Choice, Text


class UserSchema(Schema):
    email = fields.Str()
    name = fields.Str()
    role = fields.Str()
    organisation = Derived(lambda u: code_of(u.organisation), nullable=True)
    active = fields.Bool()


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
    password = fields.Str(load_default=None, allow_none=True, validate=lambda v: len(v) <= 1024)
