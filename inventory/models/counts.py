"""Counts kept, not recounted: stock by location, type and status, ready kits by template, and each
delivery's labelled items, kept in the same transaction as every change that moves them.

What is counted is declared once, in TALLIES: a model, the attributes that place a row in a count, and
the count row those attributes put it in. inventory/kept_counts.py watches every flush for rows of those
models and adjusts the counts when the transaction commits, so a status added to the life cycle
tomorrow (or a service written next year) is counted without another line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .assets import Asset
from .columns import utcnow
from .kits import Kit

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


@dataclass(frozen=True)
class Tally:
    """One kept count: rows of `model` are counted in `table`'s `column`, in the row that `key` names
    from their `attrs` (None: not counted). An `upsert` tally creates its count rows as needed; the
    others add to rows that exist already (a delivery's row is written with its assets)."""

    name: str
    model: type
    attrs: tuple[str, ...]
    key: Callable[[dict[str, Any]], tuple | None]
    table: type
    key_columns: tuple[str, ...]
    column: str = "count"
    upsert: bool = True
    # How the check recounts it from scratch: a SELECT of the key columns and the count.
    recount: Callable[[], sa.Select] | None = None


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


TALLIES: tuple[Tally, ...] = (
    Tally(
        "stock",
        Asset,
        ("location_id", "type", "status"),
        _stock_key,
        StockCount,
        ("location_id", "type", "status"),
        recount=lambda: (
            sa.select(Asset.location_id, Asset.type, Asset.status, sa.func.count())
            .where(Asset.location_id.is_not(None))
            .group_by(Asset.location_id, Asset.type, Asset.status)
        ),
    ),
    Tally(
        "kits",
        Kit,
        ("location_id", "template_id", "status"),
        _kit_key,
        KitCount,
        ("location_id", "template_id", "status"),
        recount=lambda: (
            sa.select(Kit.location_id, _kit_template(), Kit.status, sa.func.count())
            .where(Kit.location_id.is_not(None))
            .group_by(Kit.location_id, _kit_template(), Kit.status)
        ),
    ),
    Tally(
        "delivery labels",
        Asset,
        ("batch", "label_printed_at"),
        _labelled_key,
        Delivery,
        ("batch",),
        column="labelled",
        upsert=False,
        recount=lambda: (
            sa.select(Delivery.batch, sa.func.count(Asset.id))
            .select_from(Delivery)
            .outerjoin(Asset, sa.and_(Asset.batch == Delivery.batch, Asset.label_printed_at.is_not(None)))
            .group_by(Delivery.batch)
        ),
    ),
)
