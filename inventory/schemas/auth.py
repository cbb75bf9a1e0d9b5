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
    otp = Text(
        40,
        load_default=None,
        allow_none=True,
        metadata={"description": "once a second factor is set up: the app's 6-digit code, or a recovery code"},
    )


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


class MfaSecretSchema(Schema):
    secret = fields.Str(metadata={"description": "base32, for typing into an authenticator app"})
    otpauth_uri = fields.Str(metadata={"description": "the same as an otpauth:// URI, for a QR code"})


class MfaConfirmArgs(Schema):
    code = Text(6, required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="Six digits."))


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.Str(), metadata={"description": "ten single-use codes: shown once"})
