"""Forms kept across a sign-out: what someone had typed when their session ran out, kept on the server for a
short while and given back only to the same person signing in again on the same browser.

Why on the server and not in the browser's sessionStorage: the typed text is often a participant's
personal data. Kept in the browser it would stay readable on a shared phone after the sign-out and be
restored into whoever signs in next on that tab; here it needs both the browser's random key and the same
account, lasts KEPT_FORM_MINUTES at most, and is deleted once that person posts a form again."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import KeptForm

# Never kept: secrets, and the token that belongs to the ended session.
NEVER_KEPT = frozenset(
    {"csrf_token", "password", "current_password", "new_password", "otp", "code", "__path", "__action"}
)
MAX_FIELDS, MAX_VALUE = 100, 10_000


def keep(user_id: int, path: str, action: str, form, now: datetime, minutes: int) -> str:
    """Store the form's fields (name -> list of values), and answer the key for the browser's cookie."""
    fields = {
        name: [value[:MAX_VALUE] for value in form.getlist(name)]
        for name in list(form.keys())[:MAX_FIELDS]
        if name not in NEVER_KEPT
    }
    db.session.execute(sa.delete(KeptForm).where(KeptForm.created_at < now - timedelta(minutes=minutes)))
    key = secrets.token_urlsafe(32)
    db.session.add(
        KeptForm(key=key, user_id=user_id, path=path[:500], action=action[:500], fields=fields, created_at=now)
    )
    db.session.flush()
    return key


def find(key: str | None, user_id: int, path: str, now: datetime, minutes: int) -> KeptForm | None:
    """The kept form for this browser's key, if it is this person's, for this page, and recent enough."""
    if not key:
        return None
    return db.session.scalar(
        sa.select(KeptForm).where(
            KeptForm.key == key,
            KeptForm.user_id == user_id,
            KeptForm.path == path,
            KeptForm.created_at >= now - timedelta(minutes=minutes),
        )
    )


def forget(key: str | None) -> None:
    if key:
        db.session.execute(sa.delete(KeptForm).where(KeptForm.key == key))
