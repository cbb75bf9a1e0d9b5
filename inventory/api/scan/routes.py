"""GET /api/v1/scan: whatever a scanner typed, resolved to an asset or kit and what can be done next."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump

from ...auth import current_user, requires
from ...permissions import Permission
from ...services import scanning
from ..common import Blueprint, Text

blp = Blueprint("scan", __name__, url_prefix="/api/v1/scan", description="Resolve a scanned or typed code")


class ScanArgs(Schema):
    code = Text(
        scanning.MAX_CODE_LENGTH,
        required=True,
        metadata={"description": "a label URL, a tag (any case, spaces allowed), a serial number, an IMEI or an ICCID"},
    )


class ScanResultSchema(Schema):
    kind = fields.Str()
    tag = fields.Str()
    type = fields.Str()
    status = fields.Str()
    location = fields.Str()
    matched_by = fields.Str()
    actions = fields.List(fields.Str())
    items = fields.List(fields.Str(), metadata={"description": "a kit's item tags (kits only)"})

    @post_dump
    def _items_for_kits_only(self, data, **kwargs):
        if data.get("items") is None:
            data.pop("items", None)
        return data


@blp.route("", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.arguments(ScanArgs(), location="query")
@blp.response(200, ScanResultSchema)
def scan(args):
    return scanning.resolve(args["code"], current_user())
