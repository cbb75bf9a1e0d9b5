"""People who sign in (staff, advocates, partners, administrators) and their API tokens."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import Model
from .columns import enum_type, utcnow
from .reference import Organisation


class Role(enum.StrEnum):
    ADMIN = "admin"
    WAREHOUSE = "warehouse"
    ADVOCATE = "advocate"
    PARTNER = "partner"


class Actor(Protocol):
    """Whoever is acting or viewing, as services need them: a User row, or the cached identity the
    API keeps for a token (services.users.Principal)."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> Role: ...

    @property
    def organisation_id(self) -> int | None: ...


class User(Model):
    __tablename__ = "users"
    __table_args__ = (
        # A partner only ever acts for its own organisation, so it must have one.
        sa.CheckConstraint("role <> 'partner' OR organisation_id IS NOT NULL", name="partner_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # After an administrator's reset: the one-time password must be changed before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    password_changed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Too many wrong passwords: sign-in is refused until then (or an administrator unlocks).
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Failures before this moment no longer count towards a lock (set by a good sign-in or an unlock).
    failures_counted_from: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The second factor: a TOTP secret (base32, as authenticator apps take it), set when enrolment
    # starts and in force from mfa_enabled_at; the last time step accepted, so a code works once.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    organisation: Mapped[Organisation | None] = relationship()

    # What Flask-Login asks of a signed-in user (web pages only; the API uses tokens).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    def get_id(self) -> str:
        return str(self.id)

    def set_password(self, password: str) -> None:
        # scrypt by default; the test suite configures a cheap hash (PASSWORD_HASH_METHOD) so that its
        # hundreds of users do not cost minutes of CPU.
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash and check_password_hash(self.password_hash, password))


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough (no slow hash needed) and lets us
    # find the token by an indexed lookup.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, so a person can tell their tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(sa.String(8))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """A single-use code for signing in without the authenticator app (ten at enrolment). Random
    and long, so a plain SHA-256 of it is enough to keep it secret at rest."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class WebSession(Model):
    """A signed-in browser. The cookie carries a random key; only its hash is kept here, so signing
    out (or a deactivation, or a password change) ends the session on the server: a copied cookie
    names a row that is over."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # However active the session, it ends here (WEB_SESSION_HOURS after sign-in).
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # The last time the person proved who they are (password or code): sensitive pages ask again
    # when this is older than REAUTH_MINUTES.
    verified_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class SignInFailure(Model):
    """One wrong password (or unknown email): counted per account and per address to slow guessing,
    in the database so that every worker and every app instance sees the same counts."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        sa.Index("ix_sign_in_failures_user_at", "user_id", "at"),
        sa.Index("ix_sign_in_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The client's address (IPv4 or IPv6 text); never the email that was tried.
    address: Mapped[str] = mapped_column(sa.String(45))
