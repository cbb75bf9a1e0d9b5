"""Loans: items issued to a participant, and data plans for the SIMs among them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dates import add_months
from ..extensions import Model
from .assets import Asset, AssetType
from .columns import BigId, enum_type, utcnow
from .kits import Kit
from .paperwork import Agreement, Signature
from .participants import Participant
from .reference import Location, Programme

if TYPE_CHECKING:
    from .loan_changes import LoanSwap


class Loan(Model):
    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    issued_on: Mapped[date] = mapped_column(sa.Date, index=True)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The version of the programme's agreement the participant accepted, and how they signed it.
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"))
    signature_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signatures.id"))
    # Names the loan's files in file storage (the handover record): random, so a file is never
    # served for another loan that reuses the id (after a restore) and the name says nothing.
    document_key: Mapped[str] = mapped_column(sa.String(24), unique=True)
    # When everything should be back: set for loan_only programmes with loan_weeks (services.issuing).
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    participant: Mapped[Participant] = relationship()
    programme: Mapped[Programme] = relationship(lazy="joined")
    agreement: Mapped[Agreement] = relationship()
    signature: Mapped[Signature | None] = relationship()
    items: Mapped[list[LoanItem]] = relationship(back_populates="loan", order_by="LoanItem.id", lazy="selectin")
    data_plans: Mapped[list[DataPlan]] = relationship(back_populates="loan", order_by="DataPlan.id", lazy="selectin")
    swaps: Mapped[list[LoanSwap]] = relationship(back_populates="loan", order_by="LoanSwap.id", lazy="selectin")

    def outstanding(self) -> list[LoanItem]:
        """The items still out with the participant (not back, swapped, lost or stolen)."""
        return [item for item in self.items if item.returned_on is None]

    def overdue_days(self, today: date) -> int:
        """Days past its return date with something still out; 0 when not overdue."""
        if self.due_on is None or today <= self.due_on or not self.outstanding():
            return 0
        return (today - self.due_on).days


class ItemClosure(enum.StrEnum):
    """How an item left its loan."""

    RETURNED = "returned"
    SWAPPED = "swapped"  # replaced by another of its type (a LoanSwap)
    LOST = "lost"
    STOLEN = "stolen"


class LoanItem(Model):
    """One asset on one loan. An asset may be lent many times in its life; one row each time."""

    __tablename__ = "loan_items"
    __table_args__ = (sa.UniqueConstraint("loan_id", "asset_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    # The asset's type, which never changes, kept here so outcome reports need not read every asset.
    asset_type: Mapped[AssetType] = mapped_column(enum_type(AssetType, "asset_type"))
    kit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kits.id"))
    # The day it left the loan, however it left (closed_as): None while it is still out.
    returned_on: Mapped[date | None] = mapped_column(sa.Date, index=True)  # retention by index
    closed_as: Mapped[ItemClosure | None] = mapped_column(enum_type(ItemClosure, "item_closure"))
    return_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    # The participant's signature for the return, when they gave one.
    return_signature_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signatures.id"))

    loan: Mapped[Loan] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship(lazy="joined")
    kit: Mapped[Kit | None] = relationship(lazy="joined")
    return_location: Mapped[Location | None] = relationship()
    return_signature: Mapped[Signature | None] = relationship()


class PlanStatus(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"  # its end date has passed
    ENDED = "ended"  # ended early: the SIM came back


class DataPlan(Model):
    """Free mobile data on an issued SIM. Its status follows from the dates, so it is never stale:
    ended if the SIM came back, expired once the end date has passed, otherwise active."""

    __tablename__ = "data_plans"
    __table_args__ = (
        sa.Index("ix_data_plans_ends_on", "ends_on"),
        sa.Index("ix_data_plans_ends_on_id", "ends_on", "id"),  # the plans list's order, paged by key
        # The outcome report's plans ending soon that had not started by its last day (none, for today's).
        sa.Index("ix_data_plans_starts_on", "starts_on"),
        sa.CheckConstraint("months BETWEEN 1 AND 120", name="months"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    sim_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    # Whole months from the start; the end is always computed from the start so that extending
    # a plan that started on the 31st does not drift (31 Aug + 6 = 28 Feb, + 7 = 31 Mar).
    months: Mapped[int]
    ends_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date, index=True)  # retention by index

    loan: Mapped[Loan] = relationship(back_populates="data_plans")
    sim: Mapped[Asset] = relationship(lazy="joined")
    participant: Mapped[Participant] = relationship()

    MAX_MONTHS = 120  # ten years of free data: the table's CHECK, said before it is reached

    def set_months(self, months: int) -> None:
        self.months = months
        self.ends_on = add_months(self.starts_on, months)

    def status_on(self, today: date) -> PlanStatus:
        if self.ended_on is not None:
            return PlanStatus.ENDED
        if self.ends_on < today:
            return PlanStatus.EXPIRED
        return PlanStatus.ACTIVE

    def days_left(self, today: date) -> int:
        """Days of free data left after today (0 once the last day has passed)."""
        return max(0, (self.ends_on - today).days)

    @staticmethod
    def status_condition(status: PlanStatus, today: date):
        """The same rule as status_on(), as SQL."""
        if status == PlanStatus.ENDED:
            return DataPlan.ended_on.is_not(None)
        if status == PlanStatus.EXPIRED:
            return sa.and_(DataPlan.ended_on.is_(None), DataPlan.ends_on < today)
        return sa.and_(DataPlan.ended_on.is_(None), DataPlan.ends_on >= today)
