"""Outcome reports for administrators: counts by area; JSON, or CSV with format=csv."""

from __future__ import annotations

from flask import Response

from ...auth import requires
from ...clock import today
from ...permissions import Permission
from ...schemas.reports import OutcomeArgs, OutcomeReportSchema
from ...services import reports
from ..common import Blueprint

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Outcome reports (admins)")


@blp.route("/outcomes", methods=["GET"])
@requires(Permission.REPORTS)
@blp.arguments(OutcomeArgs(), location="query")
@blp.response(200, OutcomeReportSchema)
@blp.alt_response(200, description="The same rows as CSV (format=csv)", content_type="text/csv", success=True)
def outcomes(args):
    fmt = args.pop("format")
    report = reports.outcomes(today=today(), **args)
    if fmt == "csv":
        name = f"outcomes-{report['programme'] or 'all'}-{report['from']}-{report['to']}.csv"
        return Response(
            reports.as_csv(report),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return report
