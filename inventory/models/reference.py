"""Reference data set up by administrators: programmes, organisations and locations."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import Model
from .columns import enum_type


class Area(enum.StrEnum):
    HALTON = "Halton"
    KNOWSLEY = "Knowsley"
    LIVERPOOL = "Liverpool"
    SEFTON = "Sefton"
    ST_HELENS = "St Helens"
    WIRRAL = "Wirral"


class LocationKind(enum.StrEnum):
    WAREHOUSE = "warehouse"
    HUB = "hub"
    MOBILE_UNIT = "mobile_unit"


class OwnershipRule(enum.StrEnum):
    ON_ASSESSMENT_PASS = "on_assessment_pass"
    ON_ISSUE = "on_issue"
    LOAN_ONLY = "loan_only"


DEFAULT_REMINDER_DAYS = [30, 7, 0]


class Programme(Model):
    __tablename__ = "programmes"
    __table_args__ = (
        sa.CheckConstraint("connectivity_months BETWEEN 1 AND 24", name="connectivity_months"),
        sa.CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark"),
        sa.CheckConstraint("loan_weeks BETWEEN 1 AND 520", name="loan_weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    connectivity_months: Mapped[int]
    ownership_rule: Mapped[OwnershipRule] = mapped_column(enum_type(OwnershipRule, "ownership_rule"))
    assessment_name: Mapped[str] = mapped_column(sa.String(200))
    pass_mark: Mapped[int]
    reminder_days: Mapped[list[int]] = mapped_column(sa.JSON, default=lambda: list(DEFAULT_REMINDER_DAYS))
    # A loan on this programme needs the participant's signature, drawn or verbal.
    signature_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # loan_only programmes: how long a loan lasts, so each loan gets a return date (due_on).
    loan_weeks: Mapped[int | None]

    MAX_LOAN_WEEKS = 520  # the table's CHECK, said before it is reached
    # The number the found-device page (a label opened by someone signed out) gives to call.
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    # Deactivated records stay, with their history, but take nothing new (see each check_ method):
    # the one rule every door asks.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def check_takes_new(self, what: str) -> None:
        """A deactivated programme takes no new participants, assets or loans; what it already has
        (loans, data plans, reminders, assessments) carries on."""
        if not self.active:
            raise Conflict(
                f"Programme {self.code} is deactivated, so it cannot take {what}: "
                "an administrator can reactivate it on the admin page"
            )


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Deactivated records stay, with their history, but take nothing new (see each check_ method):
    # the one rule every door asks.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    locations: Mapped[list[Location]] = relationship(back_populates="organisation")

    def check_takes_members(self, what: str) -> None:
        """A deactivated organisation gets no new (or reactivated) locations and users."""
        if not self.active:
            raise Conflict(
                f"Organisation {self.code} is deactivated, so it cannot have {what}: reactivate the organisation first"
            )


class Location(Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[LocationKind] = mapped_column(enum_type(LocationKind, "location_kind"))
    area: Mapped[Area] = mapped_column(enum_type(Area, "area"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)

    # Deactivated records stay, with their history, but take nothing new (see each check_ method):
    # the one rule every door asks.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    organisation: Mapped[Organisation | None] = relationship(back_populates="locations")

    def label(self) -> str:
        return f"{self.name} ({self.code})"

    def check_receives(self, what: str = "receive items") -> None:
        """A deactivated location takes no deliveries, moves, consignments, stocktakes or returns; its
        history and counts stay readable."""
        if not self.active:
            raise Conflict(
                f"Location {self.code} ({self.name}) is deactivated, so it cannot {what}: "
                "an administrator can reactivate it on the admin page"
            )
