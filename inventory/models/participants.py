"""Participants: the people a programme lends kit to. Their personal data is minimal and erasable."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .columns import BigId, enum_type, utcnow
from .reference import Area, Programme
from .users import User


class ReferralSource(enum.StrEnum):
    JOBCENTRE_PLUS = "jobcentre_plus"
    RESTART = "restart"
    HOUSEHOLDS_INTO_WORK = "households_into_work"
    SELF_REFERRAL = "self_referral"
    OTHER = "other"


class Participant(Model):
    __tablename__ = "participants"
    __table_args__ = (
        # The programme's own reference is its key for the person; pseudonymous, kept after erasure.
        sa.UniqueConstraint("programme_id", "reference"),
        sa.Index("ix_participants_programme_id_area", "programme_id", "area"),
        # A caseload's ids from the index alone (outboxes, searches within a caseload).
        sa.Index("ix_participants_advocate_id_id", "advocate_id", "id"),
        # `?reference=` across programmes, and the search by a piece of the reference or name: trigram
        # indexes on PostgreSQL, which answer ILIKE '%q%'; plain ones, unused, on SQLite.
        sa.Index("ix_participants_reference", "reference"),
        sa.Index(
            "ix_participants_reference_trgm",
            "reference",
            postgresql_using="gin",
            postgresql_ops={"reference": "gin_trgm_ops"},
        ),
        sa.Index("ix_participants_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40))
    # Personal data: null once erased.
    name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(16))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    area: Mapped[Area] = mapped_column(enum_type(Area, "area"))
    referral_source: Mapped[ReferralSource] = mapped_column(enum_type(ReferralSource, "referral_source"))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    contact_consent: Mapped[bool] = mapped_column(default=False)
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The day they joined the programme (today by default; advocates may backdate it): reports count
    # people helped by it. created_at is only when the row was written.
    enrolled_on: Mapped[date] = mapped_column(sa.Date, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    programme: Mapped[Programme] = relationship(lazy="joined")
    advocate: Mapped[User] = relationship(lazy="joined")

    @property
    def erased(self) -> bool:
        return self.erased_at is not None
