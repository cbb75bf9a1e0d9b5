"""Assessments (the internet-safety test) and the ownership transfers a pass can bring."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .assets import Asset
from .columns import BigId, enum_type, utcnow
from .paperwork import Signature
from .participants import Participant
from .reference import Programme


class Venue(enum.StrEnum):
    CLASSROOM = "classroom"
    MOBILE_UNIT = "mobile_unit"
    HOME = "home"
    ONLINE = "online"


class Assessment(Model):
    __tablename__ = "assessments"
    __table_args__ = (
        sa.CheckConstraint("max_score > 0 AND score >= 0 AND score <= max_score", name="score"),
        sa.Index("ix_assessments_taken_on", "taken_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    score: Mapped[int]
    max_score: Mapped[int]
    taken_on: Mapped[date] = mapped_column(sa.Date)
    venue: Mapped[Venue] = mapped_column(enum_type(Venue, "venue"))
    # Judged against the programme's pass mark when recorded, and kept: a later change of pass
    # mark does not rewrite history.
    passed: Mapped[bool]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    participant: Mapped[Participant] = relationship()


class Transfer(Model):
    """Equipment that became a participant's own, all at once, with a certificate."""

    __tablename__ = "transfers"
    __table_args__ = (sa.Index("ix_transfers_transferred_on", "transferred_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    transferred_on: Mapped[date] = mapped_column(sa.Date)
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessments.id"))
    # What the certificate's QR code carries (PUBLIC_BASE_URL/verify/CODE): unguessable, nothing personal.
    verify_code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    signature_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signatures.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    participant: Mapped[Participant] = relationship()
    programme: Mapped[Programme] = relationship(lazy="joined")
    signature: Mapped[Signature | None] = relationship()
    items: Mapped[list[TransferItem]] = relationship(order_by="TransferItem.id", lazy="selectin")


class TransferItem(Model):
    __tablename__ = "transfer_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    transfer_id: Mapped[int] = mapped_column(sa.ForeignKey("transfers.id"), index=True)
    # An asset is transferred once, ever.
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), unique=True)

    asset: Mapped[Asset] = relationship(lazy="joined")
