"""Sending what the outbox holds: claimed, committed, then sent; every outcome recorded.

A sender claims a small batch of due rows (SKIP LOCKED on PostgreSQL, so senders never wait for one
another; on SQLite the claim is one write transaction, which is exclusive), marks them `sending` under
a claim token of its own and commits before it calls the provider. Before each message it renews its
claim on the rows it still holds (one conditional UPDATE, which also moves their `claimed_at` on) and
sends only if the row is still among them; the outcome is recorded by an UPDATE that again asks for
the token. A row whose claim is older than STUCK_AFTER is taken as abandoned by the next sender, which
puts its own token on it: from then on the first sender can neither send nor record that row. So a
slow provider never makes a live sender's rows look abandoned, and a sender that stalled (or ran
beside another during an incident) never sends what someone else took over.

Temporary failures wait longer after each attempt, up to a limit; permanent ones are marked failed
with the reason. If an attempt may have reached the provider (the connection dropped), the next
attempt asks the provider for our reference before sending again. A row stuck in `sending` (its
sender died) is treated the same way. A sender asked to stop finishes the message in hand and gives
back the rows it has not sent (queued again, unclaimed) in one statement.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, write_intent
from ..models import Notification, NotificationStatus
from ..notifiers import Message, Notifier, Outcome
from ..notifiers.base import Result
from .messages import NoRecipient, build

log = logging.getLogger(__name__)

# A claim not renewed for this long is taken as abandoned. A live sender renews its claim before every
# message, so this only has to outlast one provider call (NOTIFY_TIMEOUT, 10 s) with a wide margin.
STUCK_AFTER = timedelta(minutes=10)
BATCH = 20  # rows claimed at a time: a stop gives back at most this many
RUN_LIMIT = 200  # rows one run handles at most, batch after batch


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0  # taken over by another sender (ours had stalled past STUCK_AFTER): not sent by us
    handed_back: int = 0  # claimed but not sent because we were asked to stop: queued again

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "lost": self.lost,
            "handed_back": self.handed_back,
        }


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(0, attempts - 1), 360))


def new_token() -> str:
    return secrets.token_hex(16)


def claim(now: datetime, limit: int, token: str | None = None) -> list[int]:
    """Mark up to `limit` due rows `sending` under `token` (a new one if not given) and commit."""
    token = token or new_token()
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
                .values(
                    status=NotificationStatus.SENDING,
                    claimed_at=now,
                    claim_token=token,
                    attempts=Notification.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
        if stuck:
            db.session.execute(
                sa.update(Notification)
                .where(Notification.id.in_(stuck))
                .values(outcome_unknown=True)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    return ids


def send_due(
    notifier: Notifier,
    *,
    now: datetime | Callable[[], datetime],
    max_attempts: int,
    next_steps: str,
    batch: int = BATCH,
    limit: int = RUN_LIMIT,
    stop: threading.Event | None = None,
) -> SendReport:
    """Send what is due, `batch` rows at a time, until nothing is due, `limit` rows were handled or
    `stop` is set. `now` is a clock (called before each step, so claims move on with time) or, for a
    run at one instant, a datetime."""
    clock: Callable[[], datetime] = now if callable(now) else (lambda: now)
    report = SendReport()
    handled = 0
    while handled < limit and not (stop and stop.is_set()):
        token = new_token()
        ids = claim(clock(), min(batch, limit - handled), token)
        if not ids:
            break
        try:
            for row_id in ids:
                if stop and stop.is_set():
                    break
                handled += 1
                _send_one(row_id, token, notifier, clock, max_attempts, next_steps, report)
        finally:
            report.handed_back += _give_back(token)
    return report


def _send_one(
    row_id: int,
    token: str,
    notifier: Notifier,
    clock: Callable[[], datetime],
    max_attempts: int,
    next_steps: str,
    report: SendReport,
) -> None:
    db.session.rollback()
    with write_intent():
        now = clock()
        if row_id not in _renew(token, now):
            db.session.commit()
            report.lost += 1
            log.warning("notification %s was taken over by another sender; not sending it", row_id)
            return
        row = db.session.get_one(Notification, row_id, populate_existing=True)
        ask_first, reference = row.outcome_unknown, row.reference
        try:
            prepared: Message | Outcome = build(row, next_steps=next_steps, today=now.date())
        except NoRecipient as reason:
            prepared = Outcome(Result.PERMANENT, reason=f"not sent: {reason}")
        db.session.commit()  # no transaction stays open while the provider is called
    outcome = _attempt(prepared, notifier, ask_first, reference)
    _record(row_id, token, outcome, clock(), max_attempts, report)


def _renew(token: str, now: datetime) -> set[int]:
    """Move our claim on every row we still hold on to `now`; the ids we still hold."""
    held = db.session.execute(
        sa.update(Notification)
        .where(Notification.claim_token == token, Notification.status == NotificationStatus.SENDING)
        .values(claimed_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return set(held.scalars())


def _attempt(message: Message | Outcome, notifier: Notifier, ask_first: bool, reference: str) -> Outcome:
    if ask_first:
        try:
            provider_id = notifier.find(reference)
        except Exception as exc:  # noqa: BLE001 - cannot tell yet: keep it unknown and ask again later
            return Outcome(Result.UNKNOWN, reason=f"could not ask the provider: {type(exc).__name__}")
        if provider_id:
            return Outcome(Result.SENT, provider_id=provider_id)
    if isinstance(message, Outcome):  # nobody to send it to
        return message
    try:
        return notifier.send(message)
    except Exception as exc:  # noqa: BLE001 - a notifier bug must not lose the row
        return Outcome(Result.UNKNOWN, reason=f"{type(exc).__name__} while sending")


def _record(row_id: int, token: str, outcome: Outcome, now: datetime, max_attempts: int, report: SendReport) -> None:
    # End the reading transaction, so the write below opens a writer's one (on SQLite a reader
    # cannot become a writer once someone else has written).
    db.session.rollback()
    with write_intent():
        row = db.session.get_one(Notification, row_id, populate_existing=True)
        values, counted = _outcome(row, outcome, now, max_attempts)
        recorded = db.session.execute(
            sa.update(Notification)
            .where(Notification.id == row_id, Notification.claim_token == token)
            .values(**values, claim_token=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    if recorded.rowcount:  # type: ignore[attr-defined]
        setattr(report, counted, getattr(report, counted) + 1)
    else:
        # Our send outlived our claim and another sender took the row over. It asks the provider for
        # our reference before sending, so what we sent is found there, not sent again.
        report.lost += 1
        log.warning("notification %s was taken over while we sent it; %s not recorded", row_id, outcome.result)


def _outcome(row: Notification, outcome: Outcome, now: datetime, max_attempts: int) -> tuple[dict, str]:
    """The columns to store for this outcome of the row's attempt, and the report's count it adds to."""
    if outcome.result == Result.SENT:
        return {
            "status": NotificationStatus.SENT,
            "sent_at": now,
            "provider_id": outcome.provider_id,
            "outcome_unknown": False,
            "last_error": None,
        }, "sent"
    last_error = (outcome.reason or outcome.result.value)[:300]
    if outcome.result == Result.PERMANENT:
        return {"status": NotificationStatus.FAILED, "last_error": last_error}, "failed"
    unknown = row.outcome_unknown or outcome.result == Result.UNKNOWN
    # An unknown outcome is never resent blind; it gets twice the attempts to be asked about.
    limit = max_attempts * 2 if unknown else max_attempts
    if row.attempts >= limit:
        last_error = f"gave up after {row.attempts} attempts: {last_error}"[:300]
        return {"status": NotificationStatus.FAILED, "outcome_unknown": unknown, "last_error": last_error}, "failed"
    return {
        "status": NotificationStatus.QUEUED,
        "next_attempt_at": now + backoff(row.attempts),
        "outcome_unknown": unknown,
        "last_error": last_error,
    }, "retrying"


def _give_back(token: str) -> int:
    """Queue again, unclaimed, every row still held under `token` (claimed, never attempted)."""
    try:
        db.session.rollback()
        with write_intent():
            returned = db.session.execute(
                sa.update(Notification)
                .where(Notification.claim_token == token, Notification.status == NotificationStatus.SENDING)
                .values(
                    status=NotificationStatus.QUEUED,
                    claim_token=None,
                    claimed_at=None,
                    attempts=Notification.attempts - 1,
                )
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
    except SQLAlchemyError as exc:
        # The database is gone: those rows are taken as abandoned after STUCK_AFTER and asked about.
        db.session.rollback()
        log.warning("could not give back claimed notifications: %s", type(exc).__name__)
        return 0
    return returned.rowcount  # type: ignore[attr-defined]
