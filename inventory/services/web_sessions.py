"""Signed-in browsers, kept on the server: a session can be ended from here whatever its cookie says."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import clock
from ..extensions import db
from ..models import User, WebSession, as_utc, hash_token


def start(user: User, now: datetime) -> str:
    """A new session for the user; returns the key for the cookie (only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    db.session.add(
        WebSession(
            key_hash=hash_token(key),
            user_id=user.id,
            created_at=now,
            verified_at=now,
            expires_at=now + timedelta(hours=current_app.config["WEB_SESSION_HOURS"]),
        )
    )
    db.session.flush()
    return key


def find(key: str | None, now: datetime) -> WebSession | None:
    """The live session with this key (not ended, not past its lifetime, its user active), or None."""
    if not key or len(key) > 100:
        return None
    return db.session.scalar(
        sa.select(WebSession)
        .join(User, User.id == WebSession.user_id)
        .where(
            WebSession.key_hash == hash_token(key),
            WebSession.ended_at.is_(None),
            WebSession.expires_at > now,
            User.active.is_(True),
        )
    )


def end(key: str | None, now: datetime) -> None:
    if key:
        db.session.execute(
            sa.update(WebSession)
            .where(WebSession.key_hash == hash_token(key), WebSession.ended_at.is_(None))
            .values(ended_at=now)
        )


def end_all(user_id: int, *, keep: int | None = None, now: datetime | None = None) -> None:
    query = sa.update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(WebSession.id != keep)
    db.session.execute(query.values(ended_at=now or clock.now()))


def verified_recently(web_session: WebSession, now: datetime) -> bool:
    return now - as_utc(web_session.verified_at) <= timedelta(minutes=current_app.config["REAUTH_MINUTES"])


def mark_verified(web_session: WebSession, now: datetime) -> None:
    web_session.verified_at = now


def live_sessions(user_id: int, now: datetime) -> list[WebSession]:
    return list(
        db.session.scalars(
            sa.select(WebSession)
            .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None), WebSession.expires_at > now)
            .order_by(WebSession.created_at.desc())
        )
    )
