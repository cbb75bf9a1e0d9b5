"""Users, passwords and API tokens."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app

from .. import clock
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import add_or_conflict, db
from ..models import Actor, ApiToken, Organisation, Role, User, hash_token
from . import mfa, passwords, sign_in_rules, web_sessions
from .cursors import Key, after_key

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("That is not an email address", {"email": ["Not a valid email address."]})
    return email


def create_user(
    email: str, role: str | Role, *, name: str = "", organisation: str | None = None, password: str | None = None
) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when none is given, to be shown once)."""
    email = normalise_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"Unknown role '{role}'", {"role": [f"Must be one of: {', '.join(Role)}."]}) from None
    org = None
    if organisation:
        # Shared lock: an organisation being deactivated at this moment waits for this user, then signs them out.
        org = db.session.scalar(
            sa.select(Organisation)
            .where(Organisation.code == organisation.strip().upper())
            .with_for_update(read=True, of=Organisation)
            .execution_options(populate_existing=True)
        )
        if org is None:
            raise InvalidInput(
                f"Unknown organisation '{organisation}'",
                {"organisation": [f"No organisation has code '{organisation}'."]},
            )
        org.check_takes_members("new users")
    if role == Role.PARTNER and org is None:
        raise InvalidInput(
            "A partner user belongs to an organisation", {"organisation": ["Required for partner users."]}
        )
    if password is None:
        password = secrets.token_urlsafe(15)  # 20 characters, 120 random bits
    else:
        passwords.check_new_password(password, personal=(email, name))
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} already exists")
    user = User(email=email, role=role, name=name.strip(), organisation=org)
    user.set_password(password)
    add_or_conflict(user, f"A user with email {email} already exists")
    return user, password


def get_user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"No user has email {email}")
    return user


def create_token(user: User, description: str = "", *, now: datetime | None = None) -> str:
    """A new random token for the user, expiring TOKEN_DAYS from now. Only its hash is stored; the
    token is shown once. Only the user themself gets one (signing in, or on their account page):
    a token in someone else's name would let the history say they did what they did not."""
    now = now or clock.now()
    token = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user=user,
            token_hash=hash_token(token),
            prefix=token[:8],
            description=description[:200],
            created_at=now,
            expires_at=now + timedelta(days=current_app.config["TOKEN_DAYS"]),
        )
    )
    db.session.flush()
    return token


def sign_in(
    email: str, password: str, otp: str | None = None, *, address: str, now: datetime
) -> tuple[User, str, datetime]:
    """Email and password (and the second factor's code, once set up) for an API token, with its expiry."""
    user = sign_in_rules.sign_in(email, password, otp, address=address, now=now)
    token = create_token(user, "signed in through the API", now=now)
    return user, token, now + timedelta(days=current_app.config["TOKEN_DAYS"])


@dataclass(frozen=True)
class Principal:
    """Who is acting: what services need of a user (id for the ledger, role and organisation for
    what they may see), detached from any database session so it can be cached."""

    id: int
    email: str
    role: Role
    organisation_id: int | None
    # A one-time password from an administrator must be changed before anything else.
    must_change_password: bool = False
    token_expires_at: datetime | None = None
    mfa_enabled: bool = False


def principal_for_token(token: str, now: datetime) -> Principal | None:
    row = db.session.execute(
        sa.select(
            User.id,
            User.email,
            User.role,
            User.organisation_id,
            User.must_change_password,
            ApiToken.expires_at,
            User.mfa_enabled_at.is_not(None),
        )
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            User.active.is_(True),
        )
    ).one_or_none()
    return Principal(*row) if row is not None else None


def revoke_token(token: str) -> None:
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()


def revoke_all_tokens(user: User, *, keep: str | None = None) -> int:
    """Revoke every live token of the user (but the one they are using, `keep`, if given)."""
    query = sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keep is not None:
        query = query.where(ApiToken.token_hash != hash_token(keep))
    result = db.session.execute(query.values(revoked_at=clock.now()))
    return cast(sa.CursorResult, result).rowcount  # an UPDATE's result is a CursorResult


def get_user_by_id(user_id: int, *, for_update: bool = False) -> User:
    query = sa.select(User).where(User.id == user_id)
    user = db.session.scalar(query.with_for_update() if for_update else query)
    if user is None:
        raise NotFound(f"No user {user_id}")
    return user


def _stop_everything(user: User, *, keep_token: str | None = None, keep_session: int | None = None) -> None:
    """End the user's tokens and web sessions (all but the ones named), on every worker: the token
    cache of other workers trusts a token for at most a second (auth.TokenCache)."""
    revoke_all_tokens(user, keep=keep_token)
    web_sessions.end_all(user.id, keep=keep_session)


def deactivate(user_id: int, actor: Actor) -> User:
    """A leaver: no sign-in, and every token and session they hold stops at once."""
    user = get_user_by_id(user_id, for_update=True)
    if user.id == actor.id:
        raise Conflict("You cannot deactivate your own account (ask another administrator)")
    user.active = False
    _stop_everything(user)
    return user


def reactivate(user_id: int) -> User:
    user = get_user_by_id(user_id, for_update=True)
    if user.organisation is not None and not user.active:
        user.organisation.check_takes_members("its users signing in again")
    user.active = True
    return user


def reset_password(user_id: int, actor: Actor) -> tuple[User, str]:
    """A one-time password, shown once to the administrator, that must be changed at next sign-in."""
    user = get_user_by_id(user_id, for_update=True)
    if user.id == actor.id:
        raise Conflict("Change your own password on your account page, not by a reset")
    password = secrets.token_urlsafe(15)  # 20 characters, 120 random bits
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = clock.now()
    sign_in_rules.unlock(user, clock.now())
    _stop_everything(user)
    return user, password


def remove_second_factor(user_id: int, actor: Actor) -> User:
    """For someone who lost both their phone and their recovery codes: they sign in with their password
    alone and set up a new authenticator (at once, if their role requires one). Every session and
    token of theirs ends, as anyone holding them may be the one who took the phone."""
    user = get_user_by_id(user_id, for_update=True)
    if user.id == actor.id:
        raise Conflict("Ask another administrator to remove your own second factor")
    mfa.remove(user)
    _stop_everything(user)
    return user


def unlock(user_id: int) -> User:
    user = get_user_by_id(user_id, for_update=True)
    sign_in_rules.unlock(user, clock.now())
    return user


def change_password(
    user_id: int,
    current_password: str,
    new_password: str,
    *,
    keep_token: str | None = None,
    keep_session: int | None = None,
) -> User:
    """One's own password: the current one, then a new one that is long and hard to guess. Every
    other session and token of the user ends (the one in use stays)."""
    user = get_user_by_id(user_id, for_update=True)
    now = clock.now()
    # A stolen session must not become a way to guess the password: the same limits as signing in.
    sign_in_rules.refuse_if_locked(user, now)
    if not (passwords.within_bounds(current_password) and user.check_password(current_password)):
        sign_in_rules.count_failure(user.id, "password change", now)
        raise InvalidInput("The current password is wrong", {"current_password": ["Not your current password."]})
    if new_password == current_password:
        raise InvalidInput("The new password is the old one", {"new_password": ["Choose a different password."]})
    passwords.check_new_password(new_password, field="new_password", personal=(user.email, user.name))
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = clock.now()
    _stop_everything(user, keep_token=keep_token, keep_session=keep_session)
    return user


def active_advocates() -> list[User]:
    """Advocates a participant can be given to."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.role == Role.ADVOCATE, User.active.is_(True)).order_by(User.email)
        )
    )


def user_query(*, without_second_factor: bool = False, after: tuple[Key, int] | None = None) -> sa.Select:
    """Users by email; `without_second_factor`: active accounts that have not set up an authenticator;
    `after`: the (user_key, id) of the user a page ended at (paging by key)."""
    query = sa.select(User).order_by(User.email, User.id)
    if without_second_factor:
        query = query.where(User.active.is_(True), User.mfa_enabled_at.is_(None))
    if after is not None:
        key, last_id = after
        query = query.where(after_key([User.email], key, last_id, User.id))
    return query


def user_key(user: User) -> tuple[str]:
    """The users list's sort key (with the id, where the next page starts)."""
    return (user.email,)
