"""Stock: each location's items by type and state, and what is available across the network.
Partners see their own hubs only (plus network-wide counts); nothing here is about a person."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from ..clock import today
from ..models import HELD, AssetStatus, AssetType
from ..permissions import Permission, allowed, sees_everything
from ..services import reference, stock, stocktakes
from . import bp
from .common import attempt, needs


def pivot(rows: list[dict]) -> dict[str, dict[str, dict[str, int]]]:
    """{location: {type: {status: count}}} from the service's flat rows."""
    table: dict[str, dict[str, dict[str, int]]] = {}
    for row in rows:
        table.setdefault(row["location"], {}).setdefault(row["type"], {})[row["status"]] = row["count"]
    return table


# Past this many locations in view, the page lists each location's totals by status (a location's own page,
# ?location=, has its table by type): 105 hubs' tables made a page of 340 KB that took 100 ms to draw.
DETAILED_LOCATIONS = 12


def summary(table: dict[str, dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """{location: {status: count across types}} from the pivoted table."""
    totals: dict[str, dict[str, int]] = {}
    for code, by_type in table.items():
        row = totals.setdefault(code, {})
        for counts in by_type.values():
            for status, n in counts.items():
                row[status] = row.get(status, 0) + n
    return totals


def _kits_by_location(rows: list[dict]) -> dict[str, list[dict]]:
    table: dict[str, list[dict]] = {}
    for row in rows:
        table.setdefault(row["location"], []).append(row)
    return table


@bp.route("/stock", endpoint="stock")
@needs(Permission.READ_STOCK)
def stock_page():
    chosen = request.args.get("location") or None
    counts, refused = attempt(lambda: stock.stock_counts(current_user, location=chosen))
    if counts is None:  # refused
        counts = stock.stock_counts(current_user)
    locations = {loc.code: loc for loc in reference.list_locations(current_user)}
    table = pivot(counts["rows"])
    detailed = bool(chosen) or len(table) <= DETAILED_LOCATIONS
    return render_template(
        "stock.html",
        table=table,
        totals=None if detailed else summary(table),
        network=counts["network_available"],
        kits=_kits_by_location(counts["kits"]),
        network_kits=counts["network_kits_available"],
        statuses=[s.value for s in AssetStatus if s in HELD],
        types=[t.value for t in AssetType],
        locations=locations,
        chosen=chosen,
        refused=refused,
        everywhere=sees_everything(current_user.role),
        last_counts=stocktakes.last_counts(current_user, today(), current_app.config["STOCKTAKE_DAYS"]),
        stocktake_days=current_app.config["STOCKTAKE_DAYS"],
        may_count=allowed(current_user.role, Permission.STOCKTAKE),
    )
