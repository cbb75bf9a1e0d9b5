"""The asset list as CSV: the same filtered list as the page, read in batches by key so that an export of a
million rows streams in constant memory, with only the columns the viewer's role may see."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import clock
from ..errors import InvalidInput
from ..extensions import db
from ..models import Actor, Asset, User, as_utc
from ..permissions import PARTNER_ASSET_FIELDS, sees_everything
from . import assets as asset_service

COLUMNS = (
    "tag",
    "type",
    "make",
    "model",
    "serial",
    "imei",
    "iccid",
    "msisdn",
    "network",
    "condition",
    "wipe_certificate",
    "status",
    "location",
    "programme",
    "kit",
    "received_at",
)
BATCH = 1000
# A list longer than this is exported by the scheduler process (a background job), not in the request:
# streamed in the request, a million rows would hold a web worker for minutes.
IN_REQUEST_ROWS = 10_000
EXPORT_JOB = "asset_export"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def columns_for(viewer: Actor) -> list[str]:
    """Partners see stock fields only (DESIGN.md, roles)."""
    return [c for c in COLUMNS if sees_everything(viewer.role) or c in PARTNER_ASSET_FIELDS]


def _cell(asset: Asset, column: str) -> str:
    if column in ("location", "programme", "kit"):
        related = getattr(asset, column)
        return related.code if column != "kit" and related is not None else (related.tag if related else "")
    if column == "received_at":
        return as_utc(asset.received_at).isoformat()
    value = getattr(asset, column)
    text = "" if value is None else str(getattr(value, "value", value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_lines(
    query_after: Callable[[Any], sa.Select], viewer: Actor, position: Callable[[Asset], Any] = lambda a: a.id
) -> Iterator[str]:
    """The header, then every row of `query_after(None)`, fetched BATCH at a time after the last row seen
    (`query_after(position(row))` selects the rows after it, in the list's order: by default its id; a
    list sorted otherwise gives its own (key, id))."""
    columns = columns_for(viewer)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def flushed() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(columns)
    yield flushed()
    after: Any = None
    while True:
        batch = list(db.session.scalars(query_after(after).options(selectinload(Asset.kit)).limit(BATCH)).unique())
        for asset in batch:
            writer.writerow([_cell(asset, c) for c in columns])
        if batch:
            yield flushed()
        if len(batch) < BATCH:
            return
        after = position(batch[-1])
        for asset in batch:  # a million rows must not pile up in the session
            db.session.expunge(asset)


def query_after(viewer: Actor, args: dict) -> Callable[[int | None], sa.Select]:
    """`after -> select` for the asset list page's filters (AssetPageArgs, as loaded): the service's query."""
    filters = {k: v for k, v in args.items() if k not in ("cursor", "sort", "quarantined_days")}
    days = args.get("quarantined_days")
    since = clock.now() - timedelta(days=days) if days else None
    return lambda after: asset_service.asset_query(
        viewer, after=after, sort=args.get("sort"), quarantined_before=since, **filters
    )


def keyed(args: dict) -> bool:
    """Whether the list's sort is by more than the id (its cursor then holds the sort key too)."""
    return bool(asset_service.ASSET_ORDERS[args.get("sort") or "oldest"])


def position_for(args: dict) -> Callable[[Asset], Any]:
    """Where the next batch starts after a row, in the list's order: its id, or (sort key, id)."""
    sort = args.get("sort") or "oldest"
    if keyed(args):
        return lambda a: (asset_service.sort_key(a, sort), a.id)
    return lambda a: a.id


def longer_than(query: sa.Select, rows: int) -> bool:
    """Has the list more than `rows` rows? Counted no further than that, so it costs the same at any size."""
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(query.limit(rows + 1).subquery()))
    return (counted or 0) > rows


def start_export_job(viewer: Actor, args: dict):
    """Queue the export of the list as the page filters it (the filters are what was typed: no one's details)."""
    from . import background_jobs

    arguments = {k: v for k, v in args.items() if k != "cursor" and v not in (None, "")}
    return background_jobs.start(EXPORT_JOB, arguments, viewer)


def run_export_job(arguments: dict, requester: User | None, progress: Callable[[int, int], None]):
    """The background job: the whole list as CSV, written to a file as it is read (memory stays flat)."""
    from .background_jobs import JobResult

    if requester is None or not requester.active:
        raise InvalidInput("The person who asked for this export can no longer sign in")
    select_after = query_after(requester, arguments)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(select_after(None).subquery())) or 0
    progress(0, total)
    fd, name = tempfile.mkstemp(prefix="inventory-export-", suffix=".csv")
    written = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            for chunk in csv_lines(select_after, requester, position_for(arguments)):
                out.write(chunk)
                written += chunk.count("\r\n")
                progress(max(0, written - 1), total)  # less the header
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return JobResult(Path(name), f"assets-{clock.today().isoformat()}.csv", "text/csv")
