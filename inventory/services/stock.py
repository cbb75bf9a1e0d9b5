"""Stock counts by location, type and status, and what is available across the network."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import AVAILABLE, HELD, Actor, Asset, Location
from ..visibility import organisation_visible
from .reference import get_location, get_organisation


def stock_counts(viewer: Actor, *, location: str | None = None, organisation: str | None = None) -> dict:
    query = (
        sa.select(Location.code, Asset.type, Asset.status, sa.func.count().label("count"))
        .join(Location, Asset.location_id == Location.id)
        .where(Asset.status.in_(HELD))
        .group_by(Location.code, Asset.type, Asset.status)
        .order_by(Location.code, Asset.type, Asset.status)
    )
    query = query.where(organisation_visible(Location.organisation_id, viewer))
    if location:
        query = query.where(Location.id == get_location(location, viewer).id)
    if organisation:
        query = query.where(Location.organisation_id == get_organisation(organisation, viewer).id)
    rows = [
        {"location": code, "type": kind.value, "status": status.value, "count": count}
        for code, kind, status, count in db.session.execute(query)
    ]
    available = db.session.execute(
        sa.select(Asset.type, sa.func.count())
        .where(Asset.status.in_(AVAILABLE))
        .group_by(Asset.type)
        .order_by(Asset.type)
    )
    return {
        "rows": rows,
        # Counts only: enough for a partner to know what it could ask for, nothing about anyone.
        "network_available": [{"type": kind.value, "count": count} for kind, count in available],
    }
