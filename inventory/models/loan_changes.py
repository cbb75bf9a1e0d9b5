"""What happens to a loan after it is issued, besides returns: swaps of faulty items, and SIMs
reported lost or stolen that the network must bar."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .assets import Asset, RetireReason
from .columns import BigId, enum_type, utcnow
from .loans import Loan
from .reference import Location
from .users import User


class LoanSwap(Model):
    """A faulty item replaced on its loan by another of the same type (DESIGN.md, swaps). The loan's
    record of it: the handover paperwork lists these."""

    __tablename__ = "loan_swaps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    out_asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    in_asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    swapped_on: Mapped[date] = mapped_column(sa.Date)
    # Where the faulty one went into quarantine.
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    loan: Mapped[Loan] = relationship(back_populates="swaps")
    out_asset: Mapped[Asset] = relationship(foreign_keys=[out_asset_id], lazy="joined")
    in_asset: Mapped[Asset] = relationship(foreign_keys=[in_asset_id], lazy="joined")
    location: Mapped[Location] = relationship(lazy="joined")
    by: Mapped[User] = relationship(lazy="joined")


class SimToBar(Model):
    """A SIM reported lost or stolen: on the warehouse's list until someone has had the network bar
    it and marked it barred. Nothing personal: the SIM, its loan and the dates."""

    __tablename__ = "sims_to_bar"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # A SIM is retired once, so it is barred at most once.
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), unique=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    reason: Mapped[RetireReason] = mapped_column(enum_type(RetireReason, "retire_reason"))
    reported_on: Mapped[date] = mapped_column(sa.Date)
    barred_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    barred_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    sim: Mapped[Asset] = relationship(lazy="joined")
