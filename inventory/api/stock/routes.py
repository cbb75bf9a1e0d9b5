"""GET /api/v1/stock: counts by location, type and status; partners see their own hubs."""

from __future__ import annotations

from marshmallow import Schema, fields

from ...auth import current_user, requires
from ...permissions import Permission
from ...services import stock
from ..common import Blueprint, Text

blp = Blueprint("stock", __name__, url_prefix="/api/v1/stock", description="Stock counts")


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


@blp.route("", methods=["GET"])
@requires(Permission.READ_STOCK)
@blp.arguments(StockArgs(), location="query")
@blp.response(200, StockSchema)
def stock_counts(args):
    return stock.stock_counts(current_user(), **args)
