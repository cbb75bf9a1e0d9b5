"""The personal-data access log: recording who opened, listed, exported, changed or erased which
participant's record, and reading it back (admins; a participant's own entries in their subject access
export). Every door that shows or changes a participant's personal data calls `record`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict

import sqlalchemy as sa

from ..extensions import db, keep_if_refused
from ..models import AccessAction, AccessChannel, AccessLogEntry, Actor, User, as_utc, utcnow
from .cursors import Key, after_key


def record(
    actor: Actor | None,
    action: AccessAction,
    participant_ids: Iterable[int],
    what: str,
    channel: AccessChannel,
) -> int:
    """One row for each participant (a page of 50 is 50 rows), written in one statement with the
    caller's unit of work. `what` names the screen or answer, never anything personal. `actor` is None
    for the command line and the scheduler. Answers how many rows were written."""
    at, user_id = utcnow(), (actor.id if actor is not None else None)
    rows = [
        {"at": at, "user_id": user_id, "action": action, "participant_id": pid, "what": what, "channel": channel}
        for pid in dict.fromkeys(participant_ids)  # once each, in the order shown
    ]
    if rows:
        statement = sa.insert(AccessLogEntry)
        db.session.execute(statement, rows)
        keep_if_refused(statement, rows)  # a page re-shown with errors (4xx) still showed them
    return len(rows)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def entry_query(
    *,
    participant: int | None = None,
    user: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    after: tuple[Key, int] | None = None,
) -> sa.Select:
    """The log, newest first, narrowed to one participant, one user (by email) and days (inclusive);
    `after`: the (entry_key, id) of the entry a page ended at (paging by key, by the index on (at, id))."""
    query = sa.select(AccessLogEntry)
    if participant is not None:
        query = query.where(AccessLogEntry.participant_id == participant)
    if user:
        query = query.where(AccessLogEntry.user_id.in_(sa.select(User.id).where(User.email == user.strip().lower())))
    if date_from is not None:
        query = query.where(AccessLogEntry.at >= _start_of(date_from))
    if date_to is not None and date_to < date.max:  # the last day there is ends after everything
        query = query.where(AccessLogEntry.at < _start_of(date_to + timedelta(days=1)))
    if after is not None:
        key, last_id = after
        query = query.where(after_key([AccessLogEntry.at], key, last_id, AccessLogEntry.id, descending=True))
    return query.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())


def entry_key(entry: AccessLogEntry) -> tuple[datetime]:
    """The log's sort key (with the id, where the next page starts)."""
    return (entry.at,)


class AccessRecord(TypedDict):
    at: str
    user: str | None
    action: str
    what: str
    channel: str


def for_participant(participant_id: int) -> list[AccessRecord]:
    """A participant's own entries as their subject access export gives them: who (by email), when,
    what was done and how, oldest first."""
    entries = db.session.scalars(
        sa.select(AccessLogEntry)
        .where(AccessLogEntry.participant_id == participant_id)
        .order_by(AccessLogEntry.at, AccessLogEntry.id)
    ).all()
    return [
        {
            "at": as_utc(e.at).isoformat(),
            "user": e.user.email if e.user else None,
            "action": e.action.value,
            "what": e.what,
            "channel": e.channel.value,
        }
        for e in entries
    ]
