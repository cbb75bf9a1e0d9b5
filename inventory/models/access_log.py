"""The personal-data access log: one append-only row each time someone opens, lists, exports, changes or
erases a participant's record, saying who, when, how, what and which participant.

A row holds no personal data: `what` says which screen or answer ("case file", "participant list page
2"), never a name. Erasure blanks the participant's name and contact details and leaves this log alone:
its rows keep the participant's id, which then points at a row with only the pseudonymous reference, so
the log still answers "who saw participant X" without saying who X was.

Append-only twice over: the ORM refuses to update or delete a row (below), and the database refuses
UPDATE and DELETE with triggers on PostgreSQL and on SQLite (migration a1c0e55106a1).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .columns import BigId, enum_type, utcnow
from .participants import Participant
from .users import User


class AccessAction(enum.StrEnum):
    VIEWED = "viewed"  # one participant's record or a page showing their name or contact details
    LISTED = "listed"  # a list of participants: one row for each participant shown
    EXPORTED = "exported"  # a subject access export
    CREATED = "created"
    CHANGED = "changed"  # their details edited
    REASSIGNED = "reassigned"  # given to another advocate
    ERASED = "erased"  # name and contact details removed (by hand, or by the retention job)


class AccessChannel(enum.StrEnum):
    API = "api"
    WEB = "web"
    CLI = "cli"
    SCHEDULER = "scheduler"


class AccessLogEntry(Model):
    __tablename__ = "access_log"
    __table_args__ = (
        sa.Index("ix_access_log_at", "at"),
        sa.Index("ix_access_log_at_id", "at", "id"),  # newest first, paged by key (a page lists 50 at one `at`)
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Null for the command line (whoever can run it on the server) and the scheduler.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[AccessAction] = mapped_column(enum_type(AccessAction, "access_action"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    what: Mapped[str] = mapped_column(sa.String(100))  # never personal data
    channel: Mapped[AccessChannel] = mapped_column(enum_type(AccessChannel, "access_channel"))

    user: Mapped[User | None] = relationship(lazy="joined")
    participant: Mapped[Participant] = relationship(lazy="joined")


@event.listens_for(AccessLogEntry, "before_update")
def _entries_are_append_only(mapper, connection, target):
    raise RuntimeError("the access log is append-only: its rows are never changed")


@event.listens_for(AccessLogEntry, "before_delete")
def _entries_are_never_deleted(mapper, connection, target):
    raise RuntimeError("the access log is append-only: its rows are never deleted")
