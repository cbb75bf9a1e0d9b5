"""What the auth API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from .fields import Text


class SignInArgs(Schema):
    email = Text(254, required=True)
    password = fields.Str(required=True, validate=lambda v: len(v) <= 1024)


class TokenSchema(Schema):
    token = fields.Str()
    role = fields.Str()
