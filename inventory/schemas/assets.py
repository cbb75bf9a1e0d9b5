"""Assets in and out of the API. Partners get the stock fields only."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, validate

from labels.payload import label_url as build_label_url

from ..models import AssetStatus, AssetType, Condition, RetireReason, as_utc
from ..permissions import PARTNER_ASSET_FIELDS
from .common import Derived, PartnerNarrowing, code_of
from .fields import Choice, Text, cursor_field


def label_url(tag: str) -> str:
    return build_label_url(current_app.config["PUBLIC_BASE_URL"], tag)


class AssetSchema(PartnerNarrowing, Schema):
    PARTNER_FIELDS = PARTNER_ASSET_FIELDS

    tag = fields.Str()
    type = fields.Str()
    make = fields.Str()
    model = fields.Str()
    serial = fields.Str(allow_none=True)
    imei = fields.Str(allow_none=True)
    iccid = fields.Str(allow_none=True)
    msisdn = fields.Str(allow_none=True)
    network = fields.Str(allow_none=True)
    data_allowance_gb = fields.Int(allow_none=True)
    condition = fields.Str(allow_none=True)
    wipe_certificate = fields.Str(allow_none=True)
    programme = Derived(lambda a: code_of(a.programme), nullable=True)
    location = Derived(lambda a: code_of(a.location), nullable=True)
    status = fields.Str()
    kit = Derived(lambda a: a.kit.tag if a.kit is not None else None, nullable=True)
    batch = fields.Str(allow_none=True)
    received_at = Derived(lambda a: as_utc(a.received_at).isoformat(), format="date-time")
    label_url = Derived(lambda a: label_url(a.tag), format="uri")


class AssetCreateArgs(Schema):
    type = Choice(AssetType, required=True)
    make = Text(80, required=True)
    model = Text(120, required=True)
    serial = Text(64, load_default=None, allow_none=True)
    imei = Text(32, load_default=None, allow_none=True)
    iccid = Text(32, load_default=None, allow_none=True)
    msisdn = Text(32, load_default=None, allow_none=True)
    network = Text(40, load_default=None, allow_none=True)
    data_allowance_gb = fields.Int(load_default=None, allow_none=True, strict=True, validate=validate.Range(0, 100_000))
    condition = Choice(Condition, load_default=None, allow_none=True)
    wipe_certificate = Text(64, load_default=None, allow_none=True)
    programme = Text(20, load_default=None, allow_none=True)
    location = Text(20, required=True)


class AssetUpdateArgs(Schema):
    """What may be corrected of an asset after it arrived (services.asset_details)."""

    make = Text(80, validate=validate.Length(min=1, max=80))
    model = Text(120, validate=validate.Length(min=1, max=120))
    serial = Text(64, allow_none=True)
    condition = Choice(Condition, allow_none=True)
    programme = Text(20, allow_none=True)


class AssetQueryArgs(Schema):
    type = Choice(AssetType)
    status = Choice(AssetStatus)
    location = Text(20)
    programme = Text(20)
    q = Text(100, metadata={"description": "a tag, serial, IMEI or ICCID, or the start of a make or model"})


class AssetListArgs(AssetQueryArgs):
    cursor = cursor_field()


ASSET_SORTS = {
    "oldest": "Oldest received first",
    "newest": "Newest received first",
    "tag": "Tag",
    "type": "Type",
    "status": "Status",
    "make": "Make and model",
}


class AssetPageArgs(AssetListArgs):
    """The asset list page's query (/assets, /assets.csv): the API's filters, a sort, and "in quarantine for
    more than N days" (the warehouse's home page links to it)."""

    sort = Choice(ASSET_SORTS, load_default="oldest")
    quarantined_days = fields.Int(strict=True, validate=validate.Range(1, 3650))


class ImportQueryArgs(Schema):
    dry_run = fields.Bool(load_default=False)


class ImportResultSchema(Schema):
    created = fields.Int()
    tags = fields.List(fields.Str())
    batch = fields.Str(allow_none=True)
    dry_run = fields.Bool()
    checked = fields.Int(metadata={"description": "rows checked"})


class MoveArgs(Schema):
    location = Text(20, required=True)
    note = Text(500, load_default=None, allow_none=True)


class QuarantineArgs(Schema):
    location = Text(20, load_default=None, allow_none=True)
    note = Text(500, load_default=None, allow_none=True)


RepairArgs = QuarantineArgs


class RestockArgs(QuarantineArgs):
    wipe_certificate = Text(64, load_default=None, allow_none=True)
    condition = Choice(Condition, load_default=None, allow_none=True)


class RetireArgs(Schema):
    reason = Choice(RetireReason, required=True)
    note = Text(500, load_default=None, allow_none=True)


class EventSchema(Schema):
    at = Derived(lambda e: as_utc(e.at).isoformat(), format="date-time")
    action = fields.Str()
    actor = Derived(lambda e: e.actor.email if e.actor is not None else None, nullable=True)
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str(allow_none=True)
    from_location = Derived(lambda e: code_of(e.from_location), nullable=True)
    to_location = Derived(lambda e: code_of(e.to_location), nullable=True)
    kit = Derived(lambda e: e.kit.tag if e.kit is not None else None, nullable=True)
    note = fields.Str(allow_none=True)
    details = fields.Dict(allow_none=True)
