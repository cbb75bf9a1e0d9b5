"""How the service is doing, for operators: does the database answer, is the scheduler alive, is the
outbox moving. Counts and timestamps only, never anyone's details (health needs no token)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import Notification, NotificationStatus, as_utc
from . import scheduler_status
from .scheduler_status import SchedulerReport

# Degraded when the scheduler has not been seen for this long (its "send reminders" job runs every
# minute), or when a message has waited to go out for longer than this (retries back off 31 minutes
# in all, so an hour means the sender is not getting through).
SCHEDULER_SILENT_AFTER = timedelta(minutes=5)
OUTBOX_STUCK_AFTER = timedelta(minutes=60)
FAILED_WINDOW = timedelta(hours=24)
WAITING = (NotificationStatus.QUEUED, NotificationStatus.SENDING)


@dataclass(frozen=True)
class OutboxBacklog:
    queued: int  # not yet sent: queued (or waiting to be retried) or being sent
    oldest_queued_minutes: int | None  # how long the oldest of those has waited; None when there are none
    failed_24h: int  # failed for good within the last 24 hours


@dataclass(frozen=True)
class HealthReport:
    status: str  # "ok" or "degraded"
    database: str
    scheduler: SchedulerReport
    outbox: OutboxBacklog
    problems: list[str] = field(default_factory=list)


def database_answers() -> bool:
    db.session.execute(sa.text("SELECT 1"))
    return True


def outbox_backlog(now: datetime) -> OutboxBacklog:
    waiting, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(Notification.created_at)).where(Notification.status.in_(WAITING))
    ).one()
    failed = db.session.scalar(
        sa.select(sa.func.count()).where(
            Notification.status == NotificationStatus.FAILED,
            # A failed row's last claim is its last attempt (a row that failed unsent: when it was queued).
            sa.func.coalesce(Notification.claimed_at, Notification.created_at) >= now - FAILED_WINDOW,
        )
    )
    minutes = max(0, int((now - as_utc(oldest)).total_seconds() // 60)) if oldest is not None else None
    return OutboxBacklog(queued=waiting, oldest_queued_minutes=minutes, failed_24h=failed or 0)


def outbox_by_status() -> dict[str, int]:
    """Every status with its count (0 for none), for metrics."""
    counts = dict(
        db.session.execute(sa.select(Notification.status, sa.func.count()).group_by(Notification.status)).all()
    )
    return {status.value: counts.get(status, 0) for status in NotificationStatus}


def report(now: datetime) -> HealthReport:
    """The health answer, when the database answers (the caller turns a failure to reach it into a 503)."""
    database_answers()
    scheduler = scheduler_status.read()
    outbox = outbox_backlog(now)
    problems = []
    if scheduler.last_seen is None:
        problems.append("the scheduler has never been seen")
    elif now - scheduler.last_seen > SCHEDULER_SILENT_AFTER:
        minutes = int((now - scheduler.last_seen).total_seconds() // 60)
        problems.append(f"the scheduler has not been seen for {minutes} minutes")
    if outbox.oldest_queued_minutes is not None and outbox.oldest_queued_minutes > OUTBOX_STUCK_AFTER.seconds // 60:
        problems.append(f"a message has waited {outbox.oldest_queued_minutes} minutes to be sent")
    return HealthReport(
        status="degraded" if problems else "ok", database="ok", scheduler=scheduler, outbox=outbox, problems=problems
    )
