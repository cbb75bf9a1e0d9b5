"""What the stock API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from .fields import Text


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


class StockSchema(Schema):
    rows = fields.List(fields.Nested(StockRowSchema))
    network_available = fields.List(
        fields.Nested(AvailableSchema), metadata={"description": "items in stock across every location, by type"}
    )
