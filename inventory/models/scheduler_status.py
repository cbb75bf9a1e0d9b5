"""The scheduler's heartbeat and each job's last run, for the health check to read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class SchedulerStatus(Model):
    """One row named "scheduler" (its `last_seen`, every 30 s while it leads) and one per job (its
    `last_run` and `last_result`, e.g. "sent 3, retrying 0, …" or "failed: OperationalError")."""

    __tablename__ = "scheduler_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    last_seen: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_run: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_result: Mapped[str | None] = mapped_column(sa.String(200))
