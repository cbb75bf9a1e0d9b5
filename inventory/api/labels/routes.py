"""Labels: single labels as PNG, SVG or ZPL; sheets of labels as a PDF (or ZPL) for a batch."""

from __future__ import annotations

from flask import Response, current_app, url_for

from ...auth import current_user, requires
from ...permissions import Permission
from ...schemas.jobs import JobSchema
from ...schemas.labels import OneLabelArgs, SheetArgs
from ...services import labels
from ..common import Blueprint

blp = Blueprint("labels", __name__, url_prefix="/api/v1/labels", description="QR labels (warehouse staff, admins)")


@blp.route("/sheet", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(SheetArgs())
@blp.response(200, description="A PDF of A4 label sheets, or ZPL", content_type="application/pdf")
@blp.alt_response(
    202,
    schema=JobSchema,
    description=f"Over {labels.IN_REQUEST_LABELS} labels: a background job (Location: its address); "
    "GET it for progress, then its download",
    success=True,
)
def sheet(args):
    things = labels.select(
        tags=args.get("tags"), batch=args.get("batch"), location=args.get("location"), unprinted=args["unprinted"]
    )
    if labels.in_background(things):
        job = labels.start_sheet_job(
            things,
            fmt=args["format"],
            template_code=args["template"],
            start_position=args["start_position"],
            requested_by=current_user(),
        )
        location = url_for("jobs.get", job_id=job.id)
        return Response(JobSchema().dumps(job), status=202, mimetype="application/json", headers={"Location": location})
    body, media_type, filename = labels.printout(
        things,
        fmt=args["format"],
        template_code=args["template"],
        start_position=args["start_position"],
        config=current_app.config,
    )
    return Response(body, mimetype=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/<tag>.<any(png, svg, zpl, pdf):fmt>", methods=["GET"])
@requires(Permission.PRINT_LABELS)
@blp.arguments(OneLabelArgs(), location="query")
@blp.response(200, description="One label (an asset's, a kit's or a consignment's box label)", content_type="image/png")
def one(args, tag, fmt):
    """PNG, SVG or ZPL; or a one-label PDF for a hub's roll printer (`printer`). Partners: what is at their hubs."""
    config = current_app.config
    body = labels.one_label(
        tag,
        fmt,
        base_url=config["PUBLIC_BASE_URL"],
        zpl_size=config["ZPL_LABEL_SIZE"],
        zpl_dpi=config["ZPL_DPI"],
        viewer=current_user(),
        roll=args["printer"],
    )
    return Response(
        body,
        mimetype=labels.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{tag.upper()}.{fmt}"'},
    )
