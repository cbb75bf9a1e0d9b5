"""Users, passwords and API tokens."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput, NotFound, Unauthorised
from ..extensions import add_or_conflict, db
from ..models import ApiToken, Organisation, Role, User, hash_token, utcnow

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


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
        org = db.session.scalar(sa.select(Organisation).where(Organisation.code == organisation.strip().upper()))
        if org is None:
            raise InvalidInput(
                f"Unknown organisation '{organisation}'",
                {"organisation": [f"No organisation has code '{organisation}'."]},
            )
    if role == Role.PARTNER and org is None:
        raise InvalidInput(
            "A partner user belongs to an organisation", {"organisation": ["Required for partner users."]}
        )
    if password is None:
        password = secrets.token_urlsafe(12)
    elif len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("The password is too short", {"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]})
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


def create_token(user: User, description: str = "") -> str:
    """A new random token for the user. Only its hash is stored; the token is shown once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), prefix=token[:8], description=description[:200]))
    db.session.flush()
    return token


def check_password(email: str, password: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    # The same answer for an unknown email and a wrong password, so emails cannot be probed.
    if user is None or not user.active or not user.check_password(password or ""):
        raise Unauthorised("The email or password is wrong")
    return user


def sign_in(email: str, password: str) -> tuple[User, str]:
    user = check_password(email, password)
    return user, create_token(user, "signed in through the API")


@dataclass(frozen=True)
class Principal:
    """Who is acting: what services need of a user (id for the ledger, role and organisation for
    what they may see), detached from any database session so it can be cached."""

    id: int
    email: str
    role: Role
    organisation_id: int | None


def principal_for_token(token: str) -> Principal | None:
    row = db.session.execute(
        sa.select(User.id, User.email, User.role, User.organisation_id)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None), User.active.is_(True))
    ).one_or_none()
    return Principal(*row) if row is not None else None


def revoke_token(token: str) -> None:
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_all_tokens(user: User) -> int:
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return cast(sa.CursorResult, result).rowcount  # an UPDATE's result is a CursorResult


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))
