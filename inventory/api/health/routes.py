"""GET /api/v1/health: does the database answer, is the scheduler alive, is the outbox moving? No token
needed, and so nothing in it about anyone."""

from __future__ import annotations

from ...clock import now
from ...errors import is_database_down
from ...extensions import rollback_quietly
from ...schemas.health import HealthSchema
from ...services import health as health_service
from ..common import Blueprint

blp = Blueprint(
    "health", __name__, url_prefix="/api/v1/health", description="The database, the scheduler and the outbox"
)

UNAVAILABLE = {"status": "unavailable", "database": "unreachable", "scheduler": None, "outbox": None}


@blp.route("")
@blp.response(200, HealthSchema, description="The database answers (status ok, or degraded and why)")
@blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
@blp.doc(security=[])
def health():
    try:
        report = health_service.report(now())
    except Exception as error:  # noqa: BLE001 - only a failure to reach the database is "down"
        if not is_database_down(error):
            raise
        rollback_quietly()
        return {**UNAVAILABLE, "problems": ["the database does not answer"]}, 503
    return report
