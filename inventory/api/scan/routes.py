"""GET /api/v1/scan: whatever a scanner typed, resolved to an asset or kit and what can be done next."""

from __future__ import annotations

from types import SimpleNamespace

from marshmallow import Schema, fields

from ...auth import current_user, requires
from ...permissions import Permission
from ...services import scanning
from ..common import Blueprint, Text, code_of

blp = Blueprint("scan", __name__, url_prefix="/api/v1/scan", description="Resolve a scanned or typed code")


class ScanArgs(Schema):
    code = Text(scanning.MAX_CODE_LENGTH, required=True, metadata={
        "description": "a label URL, a tag (any case, spaces allowed), a serial number, an IMEI or an ICCID"})


class ScanResultSchema(Schema):
    kind = fields.Str()
    tag = fields.Str()
    type = fields.Str()
    status = fields.Str()
    location = fields.Str()
    matched_by = fields.Str()
    actions = fields.List(fields.Str())
    items = fields.List(fields.Str(), metadata={"description": "a kit's item tags"})


def _as_result(scan: scanning.Scan) -> SimpleNamespace:
    # A namespace, not a dict: marshmallow would read a dict's "items" field as dict.items.
    thing = scan.thing
    out = {"kind": scan.kind, "tag": thing.tag, "status": thing.status.value,
           "location": code_of(thing.location), "matched_by": scan.matched_by, "actions": scan.actions}
    if scan.kind == "kit":
        out["type"] = "kit"
        out["items"] = [a.tag for a in thing.items]
    else:
        out["type"] = thing.type.value
    return SimpleNamespace(**out)


@blp.route("", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.arguments(ScanArgs, location="query")
@blp.response(200, ScanResultSchema)
def scan(args):
    return _as_result(scanning.resolve(args["code"], current_user()))
