"""GET /api/v1/health: is the app up and does the database answer? No token needed."""

from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ...schemas.health import HealthSchema
from ..common import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Liveness and database check")


@blp.route("")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
@blp.doc(security=[])
def health():
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except Exception:  # noqa: BLE001 - any failure to reach the database is "down"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
