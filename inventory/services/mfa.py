"""The second factor: an authenticator app (TOTP, RFC 6238) and ten single-use recovery codes."""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
import sqlalchemy as sa

from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import RecoveryCode, User, hash_token

RECOVERY_CODES = 10
ISSUER = "Device lending"
# A code from the step before or after this one is accepted too: phones' clocks drift by seconds.
DRIFT_STEPS = 1


def begin(user: User) -> tuple[str, str]:
    """A new secret for the user's authenticator app: (secret, otpauth:// URI for a QR code). Not in
    force until confirmed with a code from the app, so a half-done enrolment locks nobody out."""
    if user.mfa_enabled:
        raise Conflict("A second factor is already set up for this account")
    user.totp_secret = pyotp.random_base32()
    return user.totp_secret, provisioning_uri(user)


def provisioning_uri(user: User) -> str:
    assert user.totp_secret is not None  # only while setting up
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def looks_like_a_code(text: str) -> bool:
    """A 6-digit code or a recovery code (xxxxx-xxxxx), as opposed to a password."""
    bare = text.strip().replace("-", "").replace(" ", "")
    return (bare.isdigit() and len(bare) == 6) or (bare.isalnum() and len(bare) == 10 and bare.islower())


def confirm(user: User, code: str, now: datetime) -> list[str]:
    """Switch the second factor on with a first code from the app; returns the recovery codes (shown once)."""
    if user.mfa_enabled:
        raise Conflict("A second factor is already set up for this account")
    if not user.totp_secret:
        raise Conflict("Start setting up the authenticator app first (POST /api/v1/auth/mfa)")
    if not _totp_ok(user, code, now):
        raise InvalidInput(
            "That code is not right: try the one your app shows now", {"code": ["Not the current code."]}
        )
    user.mfa_enabled_at = now
    return _new_recovery_codes(user)


def verify(user: User, otp: str, now: datetime) -> bool:
    """Is this the user's current code (once only) or one of their unused recovery codes (used up now)?"""
    otp = (otp or "").strip().replace(" ", "")
    if not otp or len(otp) > 40:
        return False
    if otp.isdigit():
        return _totp_ok(user, otp, now)
    row = db.session.scalar(
        sa.select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(_normal(otp)),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if row is None:
        return False
    row.used_at = now
    return True


def remaining_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def remove(user: User) -> None:
    """Take the second factor off (an administrator's reset for someone who lost their phone and codes)."""
    user.totp_secret = None
    user.mfa_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _totp_ok(user: User, code: str, now: datetime) -> bool:
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            # A code works once: one seen over someone's shoulder cannot be replayed.
            if user.totp_last_step is not None and candidate <= user.totp_last_step:
                return False
            user.totp_last_step = candidate
            return True
    return False


def _normal(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(raw)))
    db.session.flush()
    return codes
