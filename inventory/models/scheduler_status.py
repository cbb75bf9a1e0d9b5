"""What the scheduler last did: its heartbeat, and each job's last run and result (read by health and metrics)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model

HEARTBEAT = "scheduler"  # the row whose last_seen is the scheduler's heartbeat; every other row is a job


class SchedulerStatus(Model):
    __tablename__ = "scheduler_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "scheduler" for the heartbeat, or a job's name as scheduler/jobs.py gives it ("send reminders").
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    last_seen: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_run: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The run's counts ("queued 3, sent 2") or "failed: <exception type>": never a message's text.
    last_result: Mapped[str | None] = mapped_column(sa.String(200))
