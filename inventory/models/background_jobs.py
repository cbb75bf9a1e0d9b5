"""Long work done by the scheduler process instead of a web worker: a label sheet, a big export."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .columns import BigId, enum_type, utcnow
from .users import User


class JobStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for the scheduler (or handed back by one that was stopped)
    RUNNING = "running"  # claimed by a scheduler, which renews its claim as it goes
    DONE = "done"  # the result is in file storage, until the retention period ends
    FAILED = "failed"  # `message` says why


class BackgroundJob(Model):
    __tablename__ = "background_jobs"
    __table_args__ = (sa.Index("ix_background_jobs_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # a key of services.background_jobs.KINDS
    # Who asked: the only one (with admins) who may see it and download its result. None: the command line.
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # What to do, as the kind reads it: tags, filters, a template. Never anyone's personal data.
    arguments: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "job_status"), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)  # progress: units finished (labels drawn, rows written)
    total: Mapped[int] = mapped_column(default=0)  # of how many (0 while unknown)
    message: Mapped[str | None] = mapped_column(sa.String(300))  # why it failed, for the person who asked
    result_key: Mapped[str | None] = mapped_column(sa.String(200))  # in file storage (inventory.storage)
    result_name: Mapped[str | None] = mapped_column(sa.String(100))  # the download's file name
    result_type: Mapped[str | None] = mapped_column(sa.String(60))  # and media type
    attempts: Mapped[int] = mapped_column(default=0)
    # A random value per claim, and when the claim lapses: a runner may record progress or a result only
    # while the row still holds its token, and a claim not renewed in time (a crashed process) is taken over.
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    requested_by: Mapped[User | None] = relationship()
