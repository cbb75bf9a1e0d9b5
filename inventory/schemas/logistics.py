"""What the stock-request and consignment APIs take and answer (no personal data in any of them)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates_schema

from ..models import AssetType, ConsignmentStatus, RequestStatus
from ..services import consignments, stock_requests
from .common import Derived, code_of
from .fields import Choice, Id, Text


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- stock requests -------------------------------------------------------------------------------


class RequestLineArgs(Schema):
    template = Text(20, load_default=None, allow_none=True, metadata={"description": "a kit template's code"})
    type = Choice(AssetType, load_default=None, allow_none=True, metadata={"description": "loose items of a type"})
    count = fields.Int(required=True, strict=True, validate=validate.Range(1, 1000))

    @validates_schema
    def _template_or_type(self, data, **kwargs):
        if bool(data.get("template")) == bool(data.get("type")):
            raise ValidationError("Give a template or a type (one of them).", "template")


class StockRequestCreateArgs(Schema):
    location = Text(20, required=True)
    lines = fields.List(
        fields.Nested(RequestLineArgs), required=True, validate=validate.Length(min=1, max=stock_requests.MAX_LINES)
    )
    needed_by = fields.Date(load_default=None, allow_none=True)
    note = Text(500, load_default=None, allow_none=True)


class StockRequestQueryArgs(Schema):
    status = Choice(RequestStatus, load_default=None)
    location = Text(20, load_default=None)


class ApprovedLineArgs(Schema):
    approved = fields.Int(required=True, strict=True, validate=validate.Range(0, 1000))


class ApproveArgs(Schema):
    lines = fields.List(
        fields.Nested(ApprovedLineArgs),
        load_default=None,
        validate=validate.Length(min=1, max=stock_requests.MAX_LINES),
        metadata={"description": "one per line of the request, in its order; leave out to approve all in full"},
    )


class DeclineArgs(Schema):
    reason = Text(500, required=True, validate=validate.Length(min=1))


class RequestLineSchema(Schema):
    """Dumped from services.stock_requests.LineProgress."""

    template = Derived(lambda p: code_of(p.line.template), nullable=True)
    type = Derived(lambda p: p.line.type.value if p.line.type else None, nullable=True)
    count = Derived(lambda p: p.line.count, type="integer")
    approved = Derived(lambda p: p.line.approved, type="integer", nullable=True)
    sent = fields.Int()
    received = fields.Int()


class StockRequestSchema(Schema):
    id = fields.Int()
    status = fields.Str()
    location = Derived(lambda r: r.location.code)
    needed_by = Derived(lambda r: _iso(r.needed_by), nullable=True, format="date")
    note = fields.Str(allow_none=True)
    decline_reason = fields.Str(allow_none=True)
    requested_at = Derived(lambda r: _iso(r.requested_at), format="date-time")
    lines = fields.Nested(RequestLineSchema, many=True, dump_only=True)

    def get_attribute(self, obj, attr, default):
        if attr == "lines":  # each line with what was sent and received against it
            return stock_requests.progress(obj)
        return super().get_attribute(obj, attr, default)


# --- consignments ---------------------------------------------------------------------------------


class ConsignmentCreateArgs(Schema):
    to = Text(20, required=True)
    from_ = Text(20, required=True, data_key="from")
    request = Id(load_default=None, allow_none=True)


class ConsignmentQueryArgs(Schema):
    status = Choice(ConsignmentStatus, load_default=None)
    location = Text(20, load_default=None, metadata={"description": "to or from this location"})


class ItemsArgs(Schema):
    items = fields.List(Text(40), required=True, validate=validate.Length(min=1, max=consignments.MAX_ITEMS))
    note = Text(500, load_default=None, allow_none=True)


class DispatchArgs(Schema):
    note = Text(500, load_default=None, allow_none=True)


class ReceiveArgs(Schema):
    items = fields.List(
        Text(300),
        load_default=list,
        validate=validate.Length(max=consignments.MAX_ITEMS),
        metadata={"description": "tags scanned (a kit's tag stands for its items)"},
    )
    damaged = fields.List(
        Text(300),
        load_default=list,
        validate=validate.Length(max=consignments.MAX_ITEMS),
        metadata={"description": "tags that arrived damaged: into quarantine at the destination"},
    )
    note = Text(500, load_default=None, allow_none=True)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data.get("items") and not data.get("damaged"):
            raise ValidationError("Scan at least one item.", "items")


class CloseArgs(Schema):
    short = Choice(["missing"], required=True, metadata={"description": "what becomes of what never came"})
    note = Text(500, load_default=None, allow_none=True)


class OutstandingSchema(Schema):
    template = fields.Str(allow_none=True)
    type = fields.Str(allow_none=True)
    count = fields.Int()

    @post_dump
    def _one_of(self, data, **kwargs):
        return {k: v for k, v in data.items() if v is not None}


class ConsignmentItemSchema(Schema):
    tag = Derived(lambda i: i.asset.tag)
    type = Derived(lambda i: i.asset.type.value)
    kit = Derived(lambda i: i.kit.tag if i.kit else None, nullable=True, description="the kit it travels in")
    outcome = Derived(lambda i: i.outcome.value if i.outcome else None, nullable=True)


class ConsignmentSchema(Schema):
    tag = fields.Str()
    status = fields.Str()
    from_ = fields.Function(
        lambda c: c.from_location.code, data_key="from", dump_only=True, metadata={"type": "string"}
    )
    to = Derived(lambda c: c.to_location.code)
    request = Derived(lambda c: c.request_id, type="integer", nullable=True)
    items = Derived(lambda c: [i.asset.tag for i in c.items], type="array", items="string")
    contents = fields.Nested(
        ConsignmentItemSchema, many=True, attribute="items", dump_only=True, metadata={"description": "item by item"}
    )
    kits = Derived(
        lambda c: list(dict.fromkeys(i.kit.tag for i in c.items if i.kit is not None)), type="array", items="string"
    )
    outstanding = fields.Nested(
        OutstandingSchema,
        many=True,
        allow_none=True,
        dump_only=True,
        metadata={"description": "for a request: what is still to pack; null without one"},
    )
    dispatched_at = Derived(lambda c: _iso(c.dispatched_at), nullable=True, format="date-time")
    received_at = Derived(lambda c: _iso(c.received_at), nullable=True, format="date-time")
    closed_at = Derived(lambda c: _iso(c.closed_at), nullable=True, format="date-time")

    def get_attribute(self, obj, attr, default):
        if attr == "outstanding":
            return consignments.outstanding(obj)
        return super().get_attribute(obj, attr, default)


class ReceiptSchema(Schema):
    """Dumped from services.consignments.Receipt."""

    consignment = fields.Nested(ConsignmentSchema)
    status = Derived(lambda r: r.consignment.status.value)
    received = fields.List(fields.Str())
    short = fields.List(fields.Str())
    unexpected = fields.List(fields.Str())
