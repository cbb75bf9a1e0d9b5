"""Sending what the outbox holds: claimed, committed, then sent; every outcome recorded.

A sender claims due rows (SKIP LOCKED on PostgreSQL, so senders never wait for one another; on SQLite
the claim is one write transaction, which is exclusive) and marks them `sending` in a commit of its
own before it calls the provider, so two senders never send one row. Temporary failures wait longer
after each attempt, up to a limit; permanent ones are marked failed with the reason. If an attempt may
have reached the provider (the connection dropped), the next attempt asks the provider for our
reference before sending again. A row stuck in `sending` (its sender died) is treated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db, write_intent
from ..models import Notification, NotificationStatus
from ..notifiers import Notifier, Outcome
from ..notifiers.base import Result
from .messages import NoRecipient, build

STUCK_AFTER = timedelta(minutes=10)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(0, attempts - 1), 360))


def claim(now: datetime, limit: int) -> list[int]:
    due = sa.or_(
        sa.and_(
            Notification.status == NotificationStatus.QUEUED,
            sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        ),
        sa.and_(Notification.status == NotificationStatus.SENDING, Notification.claimed_at < now - STUCK_AFTER),
    )
    db.session.rollback()  # a sender works in transactions of its own, starting with this claim
    with write_intent():
        rows = db.session.execute(
            sa.select(Notification.id, Notification.status)
            .where(due)
            .order_by(Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        ids = [r.id for r in rows]
        stuck = [r.id for r in rows if r.status == NotificationStatus.SENDING]
        if ids:
            db.session.execute(
                sa.update(Notification)
                .where(Notification.id.in_(ids))
                .values(status=NotificationStatus.SENDING, claimed_at=now, attempts=Notification.attempts + 1)
            )
        if stuck:
            db.session.execute(sa.update(Notification).where(Notification.id.in_(stuck)).values(outcome_unknown=True))
        db.session.commit()
    return ids


def send_due(notifier: Notifier, *, now: datetime, max_attempts: int, next_steps: str, limit: int = 200) -> SendReport:
    report = SendReport()
    for row_id in claim(now, limit):
        outcome = _attempt(db.session.get_one(Notification, row_id), notifier, now, next_steps)
        # End the reading transaction, so the write below opens a writer's one (on SQLite a reader
        # cannot become a writer once someone else has written).
        db.session.rollback()
        with write_intent():
            _record(db.session.get_one(Notification, row_id), outcome, now, max_attempts, report)
            db.session.commit()
    return report


def _attempt(row: Notification, notifier: Notifier, now: datetime, next_steps: str) -> Outcome:
    if row.outcome_unknown:
        try:
            provider_id = notifier.find(row.reference)
        except Exception as exc:  # noqa: BLE001 - cannot tell yet: keep it unknown and ask again later
            return Outcome(Result.UNKNOWN, reason=f"could not ask the provider: {type(exc).__name__}")
        if provider_id:
            return Outcome(Result.SENT, provider_id=provider_id)
    try:
        message = build(row, next_steps=next_steps, today=now.date())
    except NoRecipient as reason:
        return Outcome(Result.PERMANENT, reason=f"not sent: {reason}")
    try:
        return notifier.send(message)
    except Exception as exc:  # noqa: BLE001 - a notifier bug must not lose the row
        return Outcome(Result.UNKNOWN, reason=f"{type(exc).__name__} while sending")


def _record(row: Notification, outcome: Outcome, now: datetime, max_attempts: int, report: SendReport) -> None:
    if outcome.result == Result.SENT:
        row.status, row.sent_at, row.provider_id = NotificationStatus.SENT, now, outcome.provider_id
        row.outcome_unknown, row.last_error = False, None
        report.sent += 1
        return
    row.last_error = (outcome.reason or outcome.result.value)[:300]
    if outcome.result == Result.PERMANENT:
        row.status = NotificationStatus.FAILED
        report.failed += 1
        return
    row.outcome_unknown = row.outcome_unknown or outcome.result == Result.UNKNOWN
    # An unknown outcome is never resent blind; it gets twice the attempts to be asked about.
    limit = max_attempts * 2 if row.outcome_unknown else max_attempts
    if row.attempts >= limit:
        row.status = NotificationStatus.FAILED
        row.last_error = f"gave up after {row.attempts} attempts: {row.last_error}"[:300]
        report.failed += 1
        return
    row.status, row.next_attempt_at = NotificationStatus.QUEUED, now + backoff(row.attempts)
    report.retrying += 1
