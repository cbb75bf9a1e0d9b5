"""What the scan API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump

from ..services import scanning
from .fields import Text


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
    location = fields.Str(allow_none=True, metadata={"description": "null for a partner scanning an item on loan"})
    matched_by = fields.Str()
    actions = fields.List(fields.Str())
    items = fields.List(fields.Str(), metadata={"description": "a kit's item tags (kits only)"})

    @post_dump
    def _items_for_kits_only(self, data, **kwargs):
        if data.get("items") is None:
            data.pop("items", None)
        return data
