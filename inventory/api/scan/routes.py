"""GET /api/v1/scan: whatever a scanner typed, resolved to an asset or kit and what can be done next."""

from __future__ import annotations

from ...auth import current_user, requires
from ...permissions import Permission
from ...schemas.scan import ScanArgs, ScanResultSchema
from ...services import scanning
from ..common import Blueprint

blp = Blueprint("scan", __name__, url_prefix="/api/v1/scan", description="Resolve a scanned or typed code")


@blp.route("", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.arguments(ScanArgs(), location="query")
@blp.response(200, ScanResultSchema)
def scan(args):
    return scanning.resolve(args["code"], current_user())
