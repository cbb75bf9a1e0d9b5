"""Labels: single labels as PNG, SVG or ZPL; sheets of labels as a PDF (or ZPL) for a batch."""

from __future__ import annotations

from flask import Response, current_app
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...auth import requires
from ...permissions import Permission
from ...services import labels
from ..common import Blueprint, Choice, Text

blp = Blueprint("labels", __name__, url_prefix="/api/v1/labels", description="QR labels (warehouse staff, admins)")


class SheetArgs(Schema):
    tags = fields.List(
        Text(40),
        validate=validate.Length(min=1, max=labels.MAX_LABELS),
        metadata={"description": "asset or kit tags, in the order to print"},
    )
    batch = Text(32, metadata={"description": "an import batch (POST /assets/import answers with it)"})
    location = Text(20, metadata={"description": "every asset at this location..."})
    unprinted = fields.Bool(
        load_default=False, metadata={"description": "of a batch or location: only what has never had a label"}
    )
    template = Choice(list(labels.TEMPLATE_CODES), load_default=labels.DEFAULT_TEMPLATE)
    start_position = fields.Int(
        load_default=1,
        strict=True,
        validate=validate.Range(min=1),
        metadata={"description": "the first free label on a partly used sheet, from 1, left to right then down"},
    )
    format = Choice(["pdf", "zpl"], load_default="pdf")

    @validates_schema
    def _one_selection(self, data, **kwargs):
        chosen = [name for name in ("tags", "batch", "location") if data.get(name)]
        if len(chosen) != 1:
            raise ValidationError("Give exactly one of tags, batch or location.", "tags")


@blp.route("/sheet", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(SheetArgs())
@blp.response(200, description="A PDF of A4 label sheets, or ZPL", content_type="application/pdf")
def sheet(args):
    things = labels.select(
        tags=args.get("tags"), batch=args.get("batch"), location=args.get("location"), unprinted=args["unprinted"]
    )
    body, media_type, filename = labels.printout(
        things,
        fmt=args["format"],
        template_code=args["template"],
        start_position=args["start_position"],
        config=current_app.config,
    )
    return Response(body, mimetype=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/<tag>.<any(png, svg, zpl):fmt>", methods=["GET"])
@requires(Permission.HANDLE_STOCK)
@blp.response(200, description="One label", content_type="image/png")
def one(tag, fmt):
    config = current_app.config
    body = labels.one_label(
        tag, fmt, base_url=config["PUBLIC_BASE_URL"], zpl_size=config["ZPL_LABEL_SIZE"], zpl_dpi=config["ZPL_DPI"]
    )
    return Response(
        body,
        mimetype=labels.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{tag.upper()}.{fmt}"'},
    )
