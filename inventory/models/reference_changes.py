"""The reference-data audit trail: one append-only row each time an admin edits, deactivates or reactivates a
programme, organisation, location or kit template, saying who, when, which record and what changed.

Reference data holds no personal data, so a row keeps each changed field's old and new values. Append-only
twice over: the ORM refuses to update or delete a row (below), and the database refuses UPDATE and DELETE
with triggers on PostgreSQL and on SQLite (migration f4c2a9d7e1b3)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .columns import BigId, enum_type, utcnow
from .users import User


class ReferenceAction(enum.StrEnum):
    CHANGED = "changed"  # fields edited: `changes` holds {field: [old, new]}
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"


class ReferenceChange(Model):
    __tablename__ = "reference_changes"
    __table_args__ = (
        sa.Index("ix_reference_changes_at_id", "at", "id"),  # newest first, paged by key
        sa.Index("ix_reference_changes_kind_code_at", "kind", "code", "at"),  # one record's history
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Null for the command line (whoever can run it on the server).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # programme, organisation, location, kit-template
    code: Mapped[str] = mapped_column(sa.String(20))  # the record's code (codes never change)
    action: Mapped[ReferenceAction] = mapped_column(enum_type(ReferenceAction, "reference_action"))
    changes: Mapped[dict] = mapped_column(sa.JSON)  # {field: [old, new]}
    note: Mapped[str | None] = mapped_column(sa.String(300))  # what went with it (partner users deactivated)

    user: Mapped[User | None] = relationship(lazy="joined")


@event.listens_for(ReferenceChange, "before_update")
def _changes_are_append_only(mapper, connection, target):
    raise RuntimeError("the reference-data audit trail is append-only: its rows are never changed")


@event.listens_for(ReferenceChange, "before_delete")
def _changes_are_never_deleted(mapper, connection, target):
    raise RuntimeError("the reference-data audit trail is append-only: its rows are never deleted")
