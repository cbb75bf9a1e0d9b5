"""Checking a password at sign-in, and slowing down whoever guesses: per account and per address.

The counts live in the database (sign_in_failures), so they hold across every worker and every app
instance. A failure is recorded even though the request that made it is refused and rolled back
(extensions.keep_despite_refusal)."""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import TooManyAttempts, Unauthorised
from ..extensions import db, keep_despite_refusal
from ..models import SignInFailure, User, as_utc
from . import mfa, passwords

# 10 failures for one account within 15 minutes lock it for 15 minutes.
ACCOUNT_FAILURES = 10
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
# One address failing this often within the window (across any accounts) is refused for a while too:
# high enough for an office behind one address, low enough that guessing from it is pointless.
ADDRESS_FAILURES = 50

WRONG = "The email or password is wrong"


@functools.cache
def _decoy_hash(method: str) -> str:
    return generate_password_hash("no account has this password", method=method)


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def check_password(email: str, password: str, *, address: str, now: datetime) -> User:
    """The user whose email and password these are, or a refusal: 401 for a wrong pair (the same
    answer, after the same hashing work, for an unknown email), 429 while the account or the
    address is locked out (the right password included). The failures so far still count until
    the whole sign-in succeeds (succeeded())."""
    address = (address or "unknown")[:45]
    _refuse_a_busy_address(address, now)
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is not None:
        refuse_if_locked(user, now)
    password = password or ""
    # Length first: a 15 MiB password must not cost a second of hashing.
    if passwords.within_bounds(password):
        if user is not None and user.password_hash:
            good = check_password_hash(user.password_hash, password)
        else:
            check_password_hash(_decoy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
            good = False
    else:
        good = False
    if user is None or not good:
        count_failure(user.id if user is not None else None, address, now)
        raise Unauthorised(WRONG)
    if not user.active:  # said only to someone who knows the password
        raise Unauthorised("This account is deactivated: ask an administrator")
    return user


def check_second_factor(user: User, otp: str | None, *, address: str, now: datetime) -> None:
    """After the right password, for a user with a second factor: the authenticator's code or a
    recovery code. A wrong code counts as a failure like a wrong password, so codes cannot be
    guessed either (and the right password alone does not reset the count)."""
    if not user.mfa_enabled:
        return
    if not otp:
        raise Unauthorised(
            "Give the 6-digit code from your authenticator app, or a recovery code",
            {"otp": ["Required for this account."]},
        )
    if not mfa.verify(user, otp, now):
        count_failure(user.id, (address or "unknown")[:45], now)
        raise Unauthorised("That code is not right", {"otp": ["Not the current code, nor an unused recovery code."]})


def sign_in(email: str, password: str, otp: str | None, *, address: str, now: datetime) -> User:
    """Every check of a sign-in in one go (the API's): password, then the second factor."""
    user = check_password(email, password, address=address, now=now)
    check_second_factor(user, otp, address=address, now=now)
    succeeded(user, now)
    return user


def succeeded(user: User, now: datetime) -> None:
    """A whole sign-in passed: the failures so far no longer count."""
    unlock(user, now)


def refuse_if_locked(user: User, now: datetime) -> None:
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        wait = int((as_utc(user.locked_until) - now).total_seconds())
        raise TooManyAttempts(
            f"Too many wrong passwords for this account: try again in {_minutes(wait)}, "
            "or ask an administrator to unlock it",
            wait,
        )


def unlock(user: User, now: datetime) -> None:
    """Forget the failures so far (a good sign-in, or an administrator's unlock)."""
    user.locked_until = None
    user.failures_counted_from = now


def _refuse_a_busy_address(address: str, now: datetime) -> None:
    since = now - WINDOW
    recent = (
        sa.select(SignInFailure.at)
        .where(SignInFailure.address == address, SignInFailure.at > since)
        .order_by(SignInFailure.at.desc())
        .limit(ADDRESS_FAILURES)
    ).subquery()
    count, oldest = db.session.execute(sa.select(sa.func.count(), sa.func.min(recent.c.at))).one()
    if count >= ADDRESS_FAILURES:
        wait = int((as_utc(oldest) + WINDOW - now).total_seconds())
        raise TooManyAttempts(f"Too many failed sign-ins from this address: try again in {_minutes(wait)}", wait)


def count_failure(user_id: int | None, address: str, now: datetime) -> None:
    """One more failure for the account and the address, kept although the request is refused."""

    def write():
        db.session.add(SignInFailure(at=now, user_id=user_id, address=address))
        db.session.flush()
        if user_id is None:
            return
        user = db.session.get(User, user_id)
        if user is None:
            return
        since = max(now - WINDOW, as_utc(user.failures_counted_from)) if user.failures_counted_from else now - WINDOW
        failures = db.session.scalar(
            sa.select(sa.func.count()).where(SignInFailure.user_id == user_id, SignInFailure.at > since)
        )
        if (failures or 0) >= ACCOUNT_FAILURES:
            user.locked_until = now + LOCK

    keep_despite_refusal(write)
