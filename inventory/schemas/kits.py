"""What the kits API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..services import kits as kit_service
from .common import Derived, PartnerNarrowing, code_of
from .fields import Text


class KitSchema(PartnerNarrowing, Schema):
    PARTNER_FIELDS = frozenset({"tag", "items", "status", "location", "programme", "template"})

    tag = fields.Str()
    status = fields.Str()
    items = Derived(lambda k: [a.tag for a in k.items], type="array", items="string")
    location = Derived(lambda k: code_of(k.location), nullable=True)
    programme = Derived(lambda k: code_of(k.programme), nullable=True)
    template = Derived(lambda k: code_of(k.template), nullable=True)


class KitCreateArgs(Schema):
    items = fields.List(Text(40), required=True, validate=validate.Length(min=1, max=kit_service.MAX_ITEMS))
    template = Text(20, load_default=None, allow_none=True)
    note = Text(500, load_default=None, allow_none=True)


class KitMoveArgs(Schema):
    location = Text(20, required=True)
    note = Text(500, load_default=None, allow_none=True)


class KitDismantleArgs(Schema):
    note = Text(500, load_default=None, allow_none=True)
