"""The loan's paperwork: each programme's versioned agreement texts, and the signatures people give."""

from __future__ import annotations

import enum
import hashlib
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .columns import BigId, enum_type
from .reference import Programme


def text_sha256(text: str) -> str:
    """The fingerprint of an agreement: sha256 of its exact text as UTF-8."""
    return hashlib.sha256(text.encode()).hexdigest()


class Agreement(Model):
    """One version of a programme's loan agreement. Never changed once written: a new text is a new
    version, and every loan points at the version the participant accepted."""

    __tablename__ = "agreements"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "version"),
        sa.CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_on: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    programme: Mapped[Programme] = relationship(lazy="joined")


class SignatureMethod(enum.StrEnum):
    DRAWN = "drawn"  # with a finger on the advocate's phone, kept as SVG
    VERBAL = "verbal"  # read aloud and agreed, for someone who cannot sign; the advocate's note says why


class Signature(Model):
    """A participant's agreement to a handover, a return or a transfer. The drawing and the note are
    personal data: erased with the participant's name (the method and date stay)."""

    __tablename__ = "signatures"
    __table_args__ = (
        sa.CheckConstraint(
            "erased OR (method = 'drawn' AND svg IS NOT NULL) OR (method = 'verbal' AND note IS NOT NULL)",
            name="content",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    method: Mapped[SignatureMethod] = mapped_column(enum_type(SignatureMethod, "signature_method"))
    # Our own rewrite of what the pad drew (services.signatures): paths and polylines of numbers only.
    svg: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    signed_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    erased: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
