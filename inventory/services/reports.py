"""Outcome reports for programme administrators and funders: counts by area, never personal data, read
from the counts kept by day (models/counts.py) rather than by aggregating every loan and plan."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ..dates import add_months
from ..errors import InvalidInput
from ..extensions import db
from ..models import (
    PLANS_OPEN_BY_END,
    Area,
    AssetType,
    DataPlan,
    OutcomeCount,
    OutcomeMonthCount,
    Participant,
    month_of,
    tallying,
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
    tallying.settle(db.session())  # this transaction's own changes, if it made any
    rows: dict[str, dict] = {}
    for row_area, metric, kind, total in _kept_figures(prog, area, date_from, date_to):
        values = rows.setdefault(str(row_area), {})
        if metric == "assets_issued":
            issued = values.setdefault("assets_issued", {})
            issued[kind] = issued.get(kind, 0) + int(total)
        else:
            values[metric] = values.get(metric, 0) + int(total)
    for values in rows.values():
        # Live on date_to: started by then and not yet stopped.
        values["data_plans_active"] = values.pop("plan_starts", 0) - values.pop("plan_stops", 0)
        values["data_plans_ended"] = values.pop("plans_ended_early", 0) + values.pop("plans_ended_naturally", 0)
    for row_area, count in _ending_soon(prog, area, date_to).items():
        rows.setdefault(row_area, {})["data_plans_ending_30_days"] = count

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


_IN_PERIOD = (
    "participants",
    "kits_issued",
    "assets_issued",
    "assessments_taken",
    "assessments_passed",
    "ownership_transfers",
    "assets_transferred",
    "plans_ended_early",
)


def _spans(date_from: date, date_to: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """[date_from, date_to] (inclusive) as the whole calendar months it covers, [first month, last month]
    by their first days (None: none), and the days left over at either end, as inclusive spans."""
    first = month_of(date_from) if date_from.day == 1 else add_months(month_of(date_from), 1)
    after = month_of(date_to + timedelta(days=1))  # the first month not wholly inside
    if first >= after:
        return None, [(date_from, date_to)]
    edges = [(date_from, first - timedelta(days=1))] if date_from < first else []
    if after <= date_to:
        edges.append((after, date_to))
    return (first, add_months(after, -1)), edges


def _kept_figures(prog, area: str | None, date_from: date, date_to: date) -> list[tuple]:
    """The kept counts (models/counts.py) added up: what happened in the period; plans started and stopped
    up to its end (their difference is what is live on its last day); plans that ran to their last day
    before its end. Whole months are read from the monthly roll-up, the part-months at the ends by day."""
    periods = [
        (_IN_PERIOD, date_from, date_to),
        (("plans_ended_naturally",), date_from, date_to - timedelta(days=1)),
        (("plan_starts", "plan_stops"), date.min, date_to),
    ]
    by_day, by_month = [], []
    for metrics, start, end in periods:
        if start > end:
            continue
        months, days = _spans(start, end)
        metric = OutcomeCount.metric.in_(metrics)
        by_day += [sa.and_(metric, OutcomeCount.day.between(a, b)) for a, b in days]
        if months is not None:
            by_month.append(sa.and_(OutcomeMonthCount.metric.in_(metrics), OutcomeMonthCount.month.between(*months)))
    found: list[tuple] = []
    for table, conditions in ((OutcomeCount, by_day), (OutcomeMonthCount, by_month)):
        if not conditions:
            continue
        query = sa.select(table.area, table.metric, table.kind, sa.func.sum(table.count)).where(sa.or_(*conditions))
        if prog is not None:
            query = query.where(table.programme_id == prog.id)
        if area:
            query = query.where(table.area == area)
        found += db.session.execute(query.group_by(table.area, table.metric, table.kind)).all()
    return found


def _ending_soon(prog, area: str | None, date_to: date) -> dict[str, int]:
    """Plans live on date_to whose free data ends within 30 days, by area: the plans not ended early,
    kept by their last day (PLANS_OPEN_BY_END), added up over the 31 days; then, by rows, those that
    ended early after date_to (they were live on it) added, and those not started by it taken away.
    For today's report both corrections are empty look-ups by index (nothing is dated after today)."""
    last = date_to + timedelta(days=30)
    kept = sa.select(OutcomeCount.area, sa.func.sum(OutcomeCount.count)).where(
        OutcomeCount.metric == PLANS_OPEN_BY_END, OutcomeCount.day.between(date_to, last)
    )
    if prog is not None:
        kept = kept.where(OutcomeCount.programme_id == prog.id)
    if area:
        kept = kept.where(OutcomeCount.area == area)
    found: dict[str, int] = {}
    for row_area, count in db.session.execute(kept.group_by(OutcomeCount.area)):
        found[str(row_area)] = int(count)
    ended_later = sa.and_(DataPlan.ended_on > date_to, DataPlan.starts_on <= date_to)
    not_started = sa.and_(DataPlan.ended_on.is_(None), DataPlan.starts_on > date_to)
    corrections = (
        sa.select(Participant.area, sa.func.sum(sa.case((ended_later, 1), else_=-1)))
        .select_from(DataPlan)
        .join(Participant, Participant.id == DataPlan.participant_id)
        .where(DataPlan.ends_on.between(date_to, last), sa.or_(ended_later, not_started))
    )
    if prog is not None:
        corrections = corrections.where(Participant.programme_id == prog.id)
    if area:
        corrections = corrections.where(Participant.area == area)
    for row_area, count in db.session.execute(corrections.group_by(Participant.area)):
        found[str(row_area)] = found.get(str(row_area), 0) + int(count)
    return {a: n for a, n in found.items() if n}


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
