"""Stock counts by location, type and status, ready kits by template, and what is available across the
network: read from the kept counts (models/counts.py), never by counting the assets themselves."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import AVAILABLE, HELD, Actor, KitCount, KitStatus, KitTemplate, Location, StockCount, tallying
from ..visibility import organisation_visible
from .reference import get_location, get_organisation

READY = KitStatus.ASSEMBLED.value  # a kit built and waiting to be issued


def stock_counts(viewer: Actor, *, location: str | None = None, organisation: str | None = None) -> dict:
    tallying.settle(db.session())  # this transaction's own changes, if it made any
    scope = [organisation_visible(Location.organisation_id, viewer)]
    if location:
        scope.append(Location.id == get_location(location, viewer).id)
    if organisation:
        scope.append(Location.organisation_id == get_organisation(organisation, viewer).id)
    held = [str(s) for s in HELD]
    rows = db.session.execute(
        sa.select(Location.code, StockCount.type, StockCount.status, StockCount.count)
        .join(Location, StockCount.location_id == Location.id)
        .where(StockCount.status.in_(held), StockCount.count > 0, *scope)
        .order_by(Location.code, StockCount.type, StockCount.status)
    )
    kits = db.session.execute(
        sa.select(Location.code, KitTemplate.code, KitCount.count)
        .join(Location, KitCount.location_id == Location.id)
        .outerjoin(KitTemplate, KitTemplate.id == KitCount.template_id)
        .where(KitCount.status == READY, KitCount.count > 0, *scope)
        .order_by(Location.code, KitTemplate.code)
    )
    # Counts only, across every location: enough for a partner to know what it could ask for.
    available = db.session.execute(
        sa.select(StockCount.type, sa.func.sum(StockCount.count))
        .where(StockCount.status.in_([str(s) for s in AVAILABLE]))
        .group_by(StockCount.type)
        .having(sa.func.sum(StockCount.count) > 0)
        .order_by(StockCount.type)
    )
    kits_available = db.session.execute(
        sa.select(KitTemplate.code, sa.func.sum(KitCount.count))
        .select_from(KitCount)
        .outerjoin(KitTemplate, KitTemplate.id == KitCount.template_id)
        .where(KitCount.status == READY)
        .group_by(KitTemplate.code)
        .having(sa.func.sum(KitCount.count) > 0)
        .order_by(KitTemplate.code)
    )
    return {
        "rows": [{"location": c, "type": t, "status": s, "count": n} for c, t, s, n in rows],
        "kits": [{"location": c, "template": t, "count": n} for c, t, n in kits],
        "network_available": [{"type": t, "count": int(n)} for t, n in available],
        "network_kits_available": [{"template": t, "count": int(n)} for t, n in kits_available],
    }
