"""What the stock API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from .fields import FlatRows, Text


class StockArgs(Schema):
    location = Text(20)
    organisation = Text(20)


class StockRowSchema(Schema):
    location = fields.Str()
    type = fields.Str()
    status = fields.Str()
    count = fields.Int()


class AvailableSchema(Schema):
    type = fields.Str()
    count = fields.Int()


class KitRowSchema(Schema):
    location = fields.Str()
    template = fields.Str(allow_none=True, metadata={"description": "the kit template's code; null: built without one"})
    count = fields.Int()


class KitsAvailableSchema(Schema):
    template = fields.Str(allow_none=True)
    count = fields.Int()


class StockSchema(Schema):
    rows = FlatRows(StockRowSchema)
    kits = FlatRows(KitRowSchema, metadata={"description": "ready (assembled) kits at each location, by template"})
    network_available = fields.List(
        fields.Nested(AvailableSchema), metadata={"description": "items in stock across every location, by type"}
    )
    network_kits_available = fields.List(
        fields.Nested(KitsAvailableSchema), metadata={"description": "ready kits across every location, by template"}
    )
