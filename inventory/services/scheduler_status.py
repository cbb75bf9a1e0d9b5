"""The scheduler's heartbeat and each job's last run: written by the scheduler, read by health and metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import HEARTBEAT, SchedulerStatus, as_utc

RESULT_LENGTH = 200


@dataclass(frozen=True)
class JobRun:
    last_run: datetime | None
    last_result: str | None


@dataclass(frozen=True)
class SchedulerReport:
    last_seen: datetime | None
    jobs: dict[str, JobRun] = field(default_factory=dict)


def _upsert(name: str, **values) -> None:
    # One statement, so two schedulers (or a job and the heartbeat) never race to insert the same row.
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(SchedulerStatus).values(name=name, **values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))


def beat(now: datetime) -> None:
    """The scheduler is alive at `now`."""
    _upsert(HEARTBEAT, last_seen=now)


def record_run(name: str, now: datetime, result: str) -> None:
    """Job `name` finished at `now` with `result` (its counts, or why it failed)."""
    _upsert(name, last_run=now, last_result=result[:RESULT_LENGTH])


def read() -> SchedulerReport:
    rows = db.session.scalars(sa.select(SchedulerStatus).order_by(SchedulerStatus.name)).all()
    heartbeat = next((row for row in rows if row.name == HEARTBEAT), None)
    return SchedulerReport(
        last_seen=as_utc(heartbeat.last_seen) if heartbeat else None,
        jobs={row.name: JobRun(as_utc(row.last_run), row.last_result) for row in rows if row.name != HEARTBEAT},
    )
