"""Outcome reports for administrators: counts by area; JSON, or CSV with format=csv."""

from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields

from ...auth import requires
from ...clock import today
from ...models import Area
from ...permissions import Permission
from ...services import reports
from ..common import Blueprint, Choice, Text

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Outcome reports (admins)")


class OutcomeArgs(Schema):
    programme = Text(20)
    area = Choice(Area)
    # "from" is a Python keyword: the query names are from/to, the attributes date_from/date_to.
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    format = Choice(["json", "csv"], load_default="json")


@blp.route("/outcomes", methods=["GET"])
@requires(Permission.REPORTS)
@blp.arguments(OutcomeArgs(), location="query")
@blp.response(200)
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
