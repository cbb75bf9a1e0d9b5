"""Counts kept, not recounted: stock by location, type and status, ready kits by template, and each
delivery's labelled items, kept in the same transaction as every change that moves them.

What is counted is declared once, in TALLIES: a model, the attributes that place a row in a count, and
the count row those attributes put it in. inventory/kept_counts.py watches every flush for rows of those
models and adjusts the counts when the transaction commits, so a status added to the life cycle
tomorrow (or a service written next year) is counted without another line here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .assessments import Assessment, Transfer, TransferItem
from .assets import Asset
from .columns import utcnow
from .kits import Kit
from .loans import DataPlan, Loan, LoanItem
from .participants import Participant

# Kits built without a template are counted under this template id (a key column cannot be NULL).
NO_TEMPLATE = 0


class StockCount(Model):
    """How many assets of a type and status a location holds. Status is plain text, not the enum's
    CHECK, so a status added to the life cycle needs no change here."""

    __tablename__ = "stock_counts"

    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class KitCount(Model):
    """How many kits built against a template (NO_TEMPLATE: none) a location has, by kit status."""

    __tablename__ = "kit_counts"

    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), primary_key=True)
    # No foreign key: NO_TEMPLATE names no row. Templates are never deleted.
    template_id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class Delivery(Model):
    """One import of a delivery manifest: written by the import, so the deliveries page reads 15 rows
    instead of grouping a million assets by batch. `labelled` is kept by the tally below."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(sa.String(32), unique=True)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    assets: Mapped[int]
    labelled: Mapped[int] = mapped_column(default=0)


class DeliveryContent(Model):
    """How many assets of each type and make a delivery batch holds, kept by the tally below: the
    deliveries page names each batch by what it brought from these few rows, not by grouping its
    thousands of assets. A row whose count falls to 0 (an asset's make corrected) stays, at 0."""

    __tablename__ = "delivery_contents"

    batch: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    make: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class OutcomeCount(Model):
    """The outcome report's figures by metric, programme, participant's area and day (and asset type for
    assets issued): the report adds up days instead of aggregating loans, assessments and plans."""

    __tablename__ = "outcome_counts"
    # The days at a report's ends, every metric at once: a range of a month's rows, not the whole table.
    __table_args__ = (sa.Index("ix_outcome_counts_day", "day"),)

    metric: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"), primary_key=True)
    area: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True, default="")
    count: Mapped[int] = mapped_column(default=0)


class OutcomeMonthCount(Model):
    """The same figures added up by calendar month (`month` is its first day): a report over years reads
    a few thousand monthly rows, and daily rows only for the part-months at its two ends."""

    __tablename__ = "outcome_month_counts"

    metric: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"), primary_key=True)
    area: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True, default="")
    count: Mapped[int] = mapped_column(default=0)


def month_of(day: date) -> date:
    return day.replace(day=1)


class Lookup(Protocol):
    """What a tally may need to know beyond its own row, as it was before the flush or is after it."""

    def participant(self, participant_id: int) -> tuple[int, str]: ...  # (programme_id, area)
    def loan(self, loan_id: int) -> tuple[int, date]: ...  # (participant_id, issued_on)
    def transfer(self, transfer_id: int) -> tuple[int, date]: ...  # (participant_id, transferred_on)
    def kit_leader(self, loan_id: int, kit_id: int) -> int: ...  # the lowest asset id of the kit on the loan


Keys = Callable[[dict[str, Any], Lookup], list[tuple]]


@dataclass(frozen=True)
class Tally:
    """One kept count: a row of `model` adds one to each of the count rows of `table` that `keys` names
    from its `attrs` (and what it looks up). An `upsert` tally creates its count rows as needed; the
    others add to rows that exist already (a delivery's row is written with its assets). `recount`
    counts it again from scratch, for the check. `of_participant`, for a tally that counts by the
    participant's area, selects the attrs (and id) of one participant's rows: when their area changes
    the rows' counts move with it."""

    name: str
    model: type
    attrs: tuple[str, ...]
    keys: Keys
    table: type
    key_columns: tuple[str, ...]
    recount: Callable[[Any], Counter]
    column: str = "count"
    upsert: bool = True
    of_participant: Callable[[int], sa.Select] | None = None


def _grouped(session, query: sa.Select) -> Counter:
    return Counter({tuple(row[:-1]): row[-1] for row in session.execute(query)})


def _one(key: Callable[[dict[str, Any]], tuple | None]) -> Keys:
    def keys(values: dict[str, Any], look: Lookup) -> list[tuple]:
        found = key(values)
        return [] if found is None else [found]

    return keys


def _stock_key(v: dict[str, Any]) -> tuple | None:
    if v["location_id"] is None:
        return None
    return (v["location_id"], str(v["type"]), str(v["status"]))


def _kit_key(v: dict[str, Any]) -> tuple | None:
    if v["location_id"] is None:
        return None
    return (v["location_id"], v["template_id"] or NO_TEMPLATE, str(v["status"]))


def _kit_template():
    # A literal, not a bound parameter: PostgreSQL matches the GROUP BY to the SELECT by its text.
    return sa.func.coalesce(Kit.template_id, sa.literal_column(str(NO_TEMPLATE)))


def _labelled_key(v: dict[str, Any]) -> tuple | None:
    if v["batch"] is None or v["label_printed_at"] is None:
        return None
    return (v["batch"],)


def _contents_key(v: dict[str, Any]) -> tuple | None:
    if v["batch"] is None:
        return None
    return (v["batch"], str(v["type"]), v["make"])


# --- the outcome report's figures, by the participant's programme and area ------------------------

OUTCOME_KEY = ("metric", "programme_id", "area", "day", "kind")


def _by_person(look: Lookup, participant_id: int, metric: str, day: date | None, kind: str = "") -> list[tuple]:
    if day is None:
        return []
    programme_id, area = look.participant(participant_id)
    return [(metric, programme_id, area, day, kind)]


def _participant_keys(v: dict[str, Any], look: Lookup) -> list[tuple]:
    if v["enrolled_on"] is None:
        return []
    return [("participants", v["programme_id"], str(v["area"]), v["enrolled_on"], "")]


def _loan_item_keys(v: dict[str, Any], look: Lookup) -> list[tuple]:
    participant_id, issued_on = look.loan(v["loan_id"])
    keys = _by_person(look, participant_id, "assets_issued", issued_on, str(v["asset_type"]))
    # A kit is issued once, whole, on one loan: counted by its item with the lowest id.
    if v["kit_id"] is not None and look.kit_leader(v["loan_id"], v["kit_id"]) == v["asset_id"]:
        keys += _by_person(look, participant_id, "kits_issued", issued_on)
    return keys


def _assessment_keys(v: dict[str, Any], look: Lookup) -> list[tuple]:
    keys = _by_person(look, v["participant_id"], "assessments_taken", v["taken_on"])
    if v["passed"]:
        keys += _by_person(look, v["participant_id"], "assessments_passed", v["taken_on"])
    return keys


def _transfer_item_keys(v: dict[str, Any], look: Lookup) -> list[tuple]:
    participant_id, transferred_on = look.transfer(v["transfer_id"])
    return _by_person(look, participant_id, "assets_transferred", transferred_on)


def plan_stop(starts_on: date, ends_on: date, ended_on: date | None) -> date:
    """The first day a plan is no longer live: the day after its last, or the day its SIM came back."""
    stop = ends_on + timedelta(days=1)
    if ended_on is not None and ended_on < stop:
        stop = ended_on
    return max(stop, starts_on)


def _plan_keys(v: dict[str, Any], look: Lookup) -> list[tuple]:
    """Live on day d when starts <= d < stop: the report adds starts and stops up to its last day.
    Ended in the period: early on the day the SIM came back, or naturally on the last day. A plan not
    ended early is also counted by its last day (PLANS_OPEN_BY_END), for the plans ending within 30 days."""
    pid = v["participant_id"]
    ended = v["ended_on"]
    return (
        _by_person(look, pid, "plan_starts", v["starts_on"])
        + _by_person(look, pid, "plan_stops", plan_stop(v["starts_on"], v["ends_on"], ended))
        + (
            _by_person(look, pid, "plans_ended_early", ended)
            if ended is not None
            else _by_person(look, pid, "plans_ended_naturally", v["ends_on"])
            + _by_person(look, pid, PLANS_OPEN_BY_END, v["ends_on"])
        )
    )


# Plans whose SIM has not come back, by their last day: the report's "ending within 30 days" adds up a
# month of days, and corrects by rows only for plans dated after its last day (none, for today's report).
PLANS_OPEN_BY_END = "plans_open_by_end"


class _RowLookup:
    """Lookups answered from joined rows, for recounting."""

    def __init__(self, people: dict, loans: dict | None = None, transfers: dict | None = None, leaders=None):
        self.people, self.loans, self.transfers, self.leaders = people, loans or {}, transfers or {}, leaders or {}

    def participant(self, participant_id: int) -> tuple[int, str]:
        return self.people[participant_id]

    def loan(self, loan_id: int) -> tuple[int, date]:
        return self.loans[loan_id]

    def transfer(self, transfer_id: int) -> tuple[int, date]:
        return self.transfers[transfer_id]

    def kit_leader(self, loan_id: int, kit_id: int) -> int:
        return self.leaders[(loan_id, kit_id)]


def _people(session) -> dict:
    return {
        i: (p, str(a))
        for i, p, a in session.execute(sa.select(Participant.id, Participant.programme_id, Participant.area))
    }


def _recount_by_rows(model: type, attrs: tuple[str, ...], keys: Keys, extra: Callable[[Any], dict]):
    """Recount a tally by computing every row's keys (for counts whose days SQL would compute differently
    on each database)."""

    def recount(session) -> Counter:
        look = _RowLookup(_people(session), **extra(session))
        total: Counter = Counter()
        columns = [getattr(model, a) for a in attrs]
        for row in session.execute(sa.select(*columns)).yield_per(10_000):
            for key in keys(dict(zip(attrs, row, strict=True)), look):
                total[key] += 1
        return total

    return recount


def _loans(session) -> dict:
    return {
        "loans": {i: (p, d) for i, p, d in session.execute(sa.select(Loan.id, Loan.participant_id, Loan.issued_on))}
    }


def _loans_and_leaders(session) -> dict:
    leaders = session.execute(
        sa.select(LoanItem.loan_id, LoanItem.kit_id, sa.func.min(LoanItem.asset_id))
        .where(LoanItem.kit_id.is_not(None))
        .group_by(LoanItem.loan_id, LoanItem.kit_id)
    )
    return {**_loans(session), "leaders": {(loan, kit): asset for loan, kit, asset in leaders}}


def _transfers(session) -> dict:
    rows = session.execute(sa.select(Transfer.id, Transfer.participant_id, Transfer.transferred_on))
    return {"transfers": {i: (p, d) for i, p, d in rows}}


OUTCOME_MONTH_KEY = ("metric", "programme_id", "area", "month", "kind")


def _monthly(keys: Keys) -> Keys:
    def by_month(values: dict[str, Any], look: Lookup) -> list[tuple]:
        return [(metric, p, area, month_of(day), kind) for metric, p, area, day, kind in keys(values, look)]

    return by_month


def _outcome_tally(
    name: str, model: type, attrs: tuple[str, ...], keys: Keys, extra, of_participant
) -> tuple[Tally, Tally]:
    """An outcome figure kept twice from the same rows: by day, and rolled up by month."""
    monthly = _monthly(keys)
    return (
        Tally(
            name,
            model,
            attrs,
            keys,
            OutcomeCount,
            OUTCOME_KEY,
            recount=_recount_by_rows(model, attrs, keys, extra),
            of_participant=of_participant,
        ),
        Tally(
            f"{name} by month",
            model,
            attrs,
            monthly,
            OutcomeMonthCount,
            OUTCOME_MONTH_KEY,
            recount=_recount_by_rows(model, attrs, monthly, extra),
            of_participant=of_participant,
        ),
    )


_LOAN_ITEM = ("loan_id", "asset_id", "asset_type", "kit_id")
_ASSESSMENT = ("participant_id", "taken_on", "passed")
_TRANSFER = ("participant_id", "transferred_on")
_PLAN = ("participant_id", "starts_on", "ends_on", "ended_on")


def _columns(model: type, attrs: tuple[str, ...]) -> list:
    return [getattr(model, a) for a in attrs]


TALLIES: tuple[Tally, ...] = (
    Tally(
        "stock",
        Asset,
        ("location_id", "type", "status"),
        _one(_stock_key),
        StockCount,
        ("location_id", "type", "status"),
        recount=lambda session: _grouped(
            session,
            sa.select(Asset.location_id, Asset.type, Asset.status, sa.func.count())
            .where(Asset.location_id.is_not(None))
            .group_by(Asset.location_id, Asset.type, Asset.status),
        ),
    ),
    Tally(
        "kits",
        Kit,
        ("location_id", "template_id", "status"),
        _one(_kit_key),
        KitCount,
        ("location_id", "template_id", "status"),
        recount=lambda session: _grouped(
            session,
            sa.select(Kit.location_id, _kit_template(), Kit.status, sa.func.count())
            .where(Kit.location_id.is_not(None))
            .group_by(Kit.location_id, _kit_template(), Kit.status),
        ),
    ),
    Tally(
        "delivery labels",
        Asset,
        ("batch", "label_printed_at"),
        _one(_labelled_key),
        Delivery,
        ("batch",),
        column="labelled",
        upsert=False,
        recount=lambda session: _grouped(
            session,
            sa.select(Delivery.batch, sa.func.count(Asset.id))
            .select_from(Delivery)
            .outerjoin(Asset, sa.and_(Asset.batch == Delivery.batch, Asset.label_printed_at.is_not(None)))
            .group_by(Delivery.batch),
        ),
    ),
    Tally(
        "delivery contents",
        Asset,
        ("batch", "type", "make"),
        _one(_contents_key),
        DeliveryContent,
        ("batch", "type", "make"),
        recount=lambda session: _grouped(
            session,
            sa.select(Asset.batch, Asset.type, Asset.make, sa.func.count())
            .where(Asset.batch.is_not(None))
            .group_by(Asset.batch, Asset.type, Asset.make),
        ),
    ),
    *_outcome_tally(
        "outcomes: participants",
        Participant,
        ("programme_id", "area", "enrolled_on"),
        _participant_keys,
        lambda session: {},
        None,  # a participant's own row moves with their area
    ),
    *_outcome_tally(
        "outcomes: loan items",
        LoanItem,
        _LOAN_ITEM,
        _loan_item_keys,
        _loans_and_leaders,
        lambda pid: (
            sa.select(LoanItem.id, *_columns(LoanItem, _LOAN_ITEM))
            .join(Loan, Loan.id == LoanItem.loan_id)
            .where(Loan.participant_id == pid)
        ),
    ),
    *_outcome_tally(
        "outcomes: assessments",
        Assessment,
        _ASSESSMENT,
        _assessment_keys,
        lambda session: {},
        lambda pid: sa.select(Assessment.id, *_columns(Assessment, _ASSESSMENT)).where(
            Assessment.participant_id == pid
        ),
    ),
    *_outcome_tally(
        "outcomes: transfers",
        Transfer,
        _TRANSFER,
        lambda v, look: _by_person(look, v["participant_id"], "ownership_transfers", v["transferred_on"]),
        lambda session: {},
        lambda pid: sa.select(Transfer.id, *_columns(Transfer, _TRANSFER)).where(Transfer.participant_id == pid),
    ),
    *_outcome_tally(
        "outcomes: transfer items",
        TransferItem,
        ("transfer_id",),
        _transfer_item_keys,
        _transfers,
        lambda pid: (
            sa.select(TransferItem.id, TransferItem.transfer_id)
            .join(Transfer, Transfer.id == TransferItem.transfer_id)
            .where(Transfer.participant_id == pid)
        ),
    ),
    *_outcome_tally(
        "outcomes: data plans",
        DataPlan,
        _PLAN,
        _plan_keys,
        lambda session: {},
        lambda pid: sa.select(DataPlan.id, *_columns(DataPlan, _PLAN)).where(DataPlan.participant_id == pid),
    ),
)
