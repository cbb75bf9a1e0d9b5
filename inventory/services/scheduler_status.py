"""Recording the scheduler's heartbeat and its jobs' runs (one upserted row each)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import SchedulerStatus

SCHEDULER = "scheduler"  # the heartbeat's row; every other row is named after a job


def seen(now: datetime) -> None:
    _upsert(SCHEDULER, last_seen=now)


def ran(job: str, now: datetime, result: str) -> None:
    _upsert(job, last_run=now, last_result=result[:200])


def _upsert(name: str, **values) -> None:
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(cast(sa.Table, SchedulerStatus.__table__)).values(name=name, **values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))
