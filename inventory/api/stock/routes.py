"""GET /api/v1/stock: counts by location, type and status; partners see their own hubs."""

from __future__ import annotations

from ...auth import current_user, requires
from ...permissions import Permission
from ...schemas.stock import StockArgs, StockSchema
from ...services import stock
from ..common import Blueprint

blp = Blueprint("stock", __name__, url_prefix="/api/v1/stock", description="Stock counts")


@blp.route("", methods=["GET"])
@requires(Permission.READ_STOCK)
@blp.arguments(StockArgs(), location="query")
@blp.response(200, StockSchema)
def stock_counts(args):
    return stock.stock_counts(current_user(), **args)
