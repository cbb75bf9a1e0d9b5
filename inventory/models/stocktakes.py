"""Stocktakes: a count of one location against what should be there, frozen when the count opens.

A stocktake holds one line per asset it concerns: each item expected there when it opened (with the
state it was recorded in), and each item scanned there that was not expected (recorded elsewhere or in
another state). Scanning marks a line found; closing records what was done about each line.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .assets import Asset
from .columns import BigId, enum_type, utcnow
from .reference import Location


class StocktakeStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MissingChoice(enum.StrEnum):
    """What closing does with items expected and not found."""

    MARK_MISSING = "mark_missing"
    LEAVE = "leave"


class UnexpectedChoice(enum.StrEnum):
    """What closing does with items found here that were recorded elsewhere or in another state."""

    MOVE_HERE = "move_here"
    LEAVE = "leave"


class Outcome(enum.StrEnum):
    """What closing did about one line."""

    MARKED_MISSING = "marked_missing"  # expected, not found: now missing
    MOVED_HERE = "moved_here"  # found here, recorded elsewhere: now recorded here
    FOUND = "found"  # it was missing, and was found: back in stock
    LEFT = "left"  # as chosen, or because its state did not allow the change (see outcome_note)


class Stocktake(Model):
    __tablename__ = "stocktakes"
    __table_args__ = (
        # One count at a time per location: several people scanning join the same one.
        sa.Index(
            "uq_stocktakes_open_location",
            "location_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        # The last count of each location (the stock page).
        sa.Index("ix_stocktakes_location_id_closed_at", "location_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    status: Mapped[StocktakeStatus] = mapped_column(enum_type(StocktakeStatus, "stocktake_status"))
    opened_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    missing_choice: Mapped[MissingChoice | None] = mapped_column(enum_type(MissingChoice, "stocktake_missing"))
    unexpected_choice: Mapped[UnexpectedChoice | None] = mapped_column(
        enum_type(UnexpectedChoice, "stocktake_unexpected")
    )

    location: Mapped[Location] = relationship(lazy="joined")


class StocktakeLine(Model):
    __tablename__ = "stocktake_lines"
    __table_args__ = (
        # One line per asset and count: two people scanning the same item at once make one line.
        sa.UniqueConstraint("stocktake_id", "asset_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(sa.ForeignKey("stocktakes.id"))
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    # Expected: held here when the count opened. Otherwise it was scanned here unexpectedly.
    expected: Mapped[bool]
    # The asset's state when the line was made (at opening, or at its unexpected scan), for the report.
    recorded_status: Mapped[str] = mapped_column(sa.String(20))
    recorded_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    found_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    found_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome, "stocktake_outcome"))
    outcome_note: Mapped[str | None] = mapped_column(sa.String(300))

    asset: Mapped[Asset] = relationship(lazy="joined")
    recorded_location: Mapped[Location | None] = relationship(lazy="joined")
