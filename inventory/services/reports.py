"""Outcome reports for programme administrators and funders: counts by area, never personal data."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ..errors import InvalidInput
from ..extensions import db
from ..models import (
    Area,
    Assessment,
    AssetType,
    DataPlan,
    Loan,
    LoanItem,
    Participant,
    Transfer,
    TransferItem,
)
from .reference import find_programme

COUNTS = (
    "participants",
    "kits_issued",
    "assets_issued",
    "assessments_taken",
    "assessments_passed",
    "ownership_transfers",
    "assets_transferred",
    "data_plans_active",
    "data_plans_ending_30_days",
    "data_plans_ended",
)


# Dates a report can cover (it looks 30 days past its end; date.max would overflow).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def outcomes(
    *,
    today: date,
    programme: str | None = None,
    area: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict:
    """Counts by area for [date_from, date_to] (inclusive; default: everything up to today). Plan
    counts that describe a moment (active, ending within 30 days) are as of date_to."""
    date_to = date_to or today
    date_from = date_from or date(2000, 1, 1)
    if date_to > LAST_DAY or date_from < FIRST_DAY:
        raise InvalidInput(
            f"Report dates run from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
            {"to" if date_to > LAST_DAY else "from": ["A date in this century."]},
        )
    if date_from > date_to:
        raise InvalidInput("'from' is after 'to'", {"from": ["Must be on or before 'to'."]})
    prog = find_programme(programme) if programme else None

    def scoped(query, participant_id):
        """Counted by the participant's area, for the chosen programme and area."""
        if participant_id is not Participant.id:
            query = query.join(Participant, Participant.id == participant_id)
        if prog is not None:
            query = query.where(Participant.programme_id == prog.id)
        if area:
            query = query.where(Participant.area == area)
        return query.group_by(Participant.area)

    rows: dict[str, dict] = {}

    def put(name: str, result):
        for row_area, value in result:
            rows.setdefault(str(row_area), {})[name] = value

    # People helped: those who enrolled in the period (by the date the advocate recorded).
    put(
        "participants",
        db.session.execute(
            scoped(
                sa.select(Participant.area, sa.func.count(Participant.id))
                .select_from(Participant)
                .where(Participant.enrolled_on >= date_from, Participant.enrolled_on <= date_to),
                Participant.id,
            )
        ),
    )
    issued = sa.and_(Loan.issued_on >= date_from, Loan.issued_on <= date_to)
    put(
        "kits_issued",
        db.session.execute(
            scoped(
                sa.select(Participant.area, sa.func.count(sa.distinct(LoanItem.kit_id)))
                .select_from(LoanItem)
                .join(Loan, Loan.id == LoanItem.loan_id)
                .where(issued, LoanItem.kit_id.is_not(None)),
                Loan.participant_id,
            )
        ),
    )
    by_type = db.session.execute(
        scoped(
            sa.select(Participant.area, LoanItem.asset_type, sa.func.count())
            .select_from(LoanItem)
            .join(Loan, Loan.id == LoanItem.loan_id)
            .where(issued),
            Loan.participant_id,
        ).group_by(LoanItem.asset_type)
    )
    for row_area, kind, count in by_type:
        rows.setdefault(str(row_area), {}).setdefault("assets_issued", {})[kind.value] = count

    def put_many(names: tuple[str, ...], result):
        for row_area, *values in result:
            for name, value in zip(names, values, strict=True):
                rows.setdefault(str(row_area), {})[name] = value

    taken = sa.and_(Assessment.taken_on >= date_from, Assessment.taken_on <= date_to)
    put_many(
        ("assessments_taken", "assessments_passed"),
        db.session.execute(
            scoped(
                sa.select(Participant.area, sa.func.count(), sa.func.count().filter(Assessment.passed.is_(True)))
                .select_from(Assessment)
                .where(taken),
                Assessment.participant_id,
            )
        ),
    )
    moved = sa.and_(Transfer.transferred_on >= date_from, Transfer.transferred_on <= date_to)
    put_many(
        ("ownership_transfers", "assets_transferred"),
        db.session.execute(
            scoped(
                sa.select(Participant.area, sa.func.count(sa.distinct(Transfer.id)), sa.func.count())
                .select_from(TransferItem)
                .join(Transfer, Transfer.id == TransferItem.transfer_id)
                .where(moved),
                Transfer.participant_id,
            )
        ),
    )
    # Plans live on date_to; and those that ended in the period (the SIM came back, or the last day
    # of free data passed).
    live = sa.and_(
        DataPlan.starts_on <= date_to,
        DataPlan.ends_on >= date_to,
        sa.or_(DataPlan.ended_on.is_(None), DataPlan.ended_on > date_to),
    )
    ended = sa.or_(
        sa.and_(DataPlan.ended_on.is_not(None), DataPlan.ended_on >= date_from, DataPlan.ended_on <= date_to),
        sa.and_(DataPlan.ended_on.is_(None), DataPlan.ends_on >= date_from, DataPlan.ends_on < date_to),
    )
    put_many(
        ("data_plans_active", "data_plans_ending_30_days", "data_plans_ended"),
        db.session.execute(
            scoped(
                sa.select(
                    Participant.area,
                    sa.func.count().filter(live),
                    sa.func.count().filter(live, DataPlan.ends_on <= date_to + timedelta(days=30)),
                    sa.func.count().filter(ended),
                )
                .select_from(DataPlan)
                .where(DataPlan.starts_on <= date_to),
                DataPlan.participant_id,
            )
        ),
    )

    areas = [a.value for a in Area if (not area or a.value == area)]
    table = [_row(a, rows.get(a, {})) for a in areas]
    return {
        "programme": prog.code if prog else None,
        "area": area,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "rows": table,
        "totals": _total(table),
    }


def _row(area: str, values: dict) -> dict:
    row: dict[str, Any] = {"area": area}
    for name in COUNTS:
        if name == "assets_issued":
            row[name] = {t.value: values.get(name, {}).get(t.value, 0) for t in AssetType}
        else:
            row[name] = values.get(name, 0)
    return row


def _total(rows: list[dict]) -> dict:
    total = _row("all", {})
    for row in rows:
        for name in COUNTS:
            if name == "assets_issued":
                for kind, n in row[name].items():
                    total[name][kind] += n
            else:
                total[name] += row[name]
    return total


def as_csv(report: dict) -> str:
    kinds = [t.value for t in AssetType]
    header = ["area"] + [n for n in COUNTS if n != "assets_issued"] + [f"assets_issued_{k}" for k in kinds]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in report["rows"] + [report["totals"]]:
        writer.writerow(
            [row["area"]] + [row[n] for n in COUNTS if n != "assets_issued"] + [row["assets_issued"][k] for k in kinds]
        )
    return out.getvalue()
