"""The asset list as CSV: the same filtered list as the page, read in batches by key so that an export of a
million rows streams in constant memory, with only the columns the viewer's role may see."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Actor, Asset, as_utc
from ..permissions import PARTNER_ASSET_FIELDS, sees_everything

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
