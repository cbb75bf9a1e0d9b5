"""What the auth API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..services.passwords import MAX_LENGTH
from .fields import IsoDateTime, Text

# Longer than any acceptable password: refused before anything is hashed.
_PASSWORD = validate.Length(min=1, max=MAX_LENGTH, error=f"Between 1 and {MAX_LENGTH} characters.")


class SignInArgs(Schema):
    email = Text(254, required=True)
    password = fields.Str(required=True, validate=_PASSWORD)


class TokenSchema(Schema):
    token = fields.Str()
    role = fields.Str()
    expires_at = IsoDateTime(metadata={"description": "the token stops working then (TOKEN_DAYS after sign-in)"})


class PasswordChangeArgs(Schema):
    current_password = fields.Str(required=True, validate=_PASSWORD)
    new_password = fields.Str(
        required=True,
        validate=_PASSWORD,
        metadata={"description": "12 to 256 characters, not easy to guess (checked with zxcvbn)"},
    )
