"""Stock requests: partners ask for their own hubs, admins for any and answer them; the warehouse reads."""

from __future__ import annotations

from ...auth import current_user, requires
from ...clock import now, today
from ...permissions import Permission
from ...schemas.logistics import (
    ApproveArgs,
    DeclineArgs,
    StockRequestCreateArgs,
    StockRequestQueryArgs,
    StockRequestSchema,
)
from ...services import stock_requests
from ..common import Blueprint, paginate

blp = Blueprint(
    "stock_requests",
    __name__,
    url_prefix="/api/v1/stock-requests",
    description="Stock requests from hubs (partners for their own hubs, admins; the warehouse reads)",
)


@blp.route("", methods=["POST"])
@requires(Permission.REQUEST_STOCK)
@blp.arguments(StockRequestCreateArgs())
@blp.response(201, StockRequestSchema)
def create_request(args):
    return stock_requests.create_request(**args, actor=current_user(), today=today())


@blp.route("", methods=["GET"])
@requires(Permission.READ_REQUESTS)
@blp.arguments(StockRequestQueryArgs(), location="query")
@blp.response(200, StockRequestSchema(many=True))
@blp.paginate()
def list_requests(args, pagination_parameters):
    """Newest first; partners see their own hubs' requests only."""
    return paginate(stock_requests.request_query(current_user(), **args), pagination_parameters)


@blp.route("/<id:request_id>", methods=["GET"])
@requires(Permission.READ_REQUESTS)
@blp.response(200, StockRequestSchema)
def get_request(request_id):
    return stock_requests.get_request(request_id, current_user())


@blp.route("/<id:request_id>/approve", methods=["POST"])
@requires(Permission.DECIDE_REQUESTS)
@blp.arguments(ApproveArgs())
@blp.response(200, StockRequestSchema)
def approve_request(args, request_id):
    """Approve in full, or each line in part (`approved` per line, in the request's order)."""
    return stock_requests.approve(request_id, args["lines"], current_user(), now())


@blp.route("/<id:request_id>/decline", methods=["POST"])
@requires(Permission.DECIDE_REQUESTS)
@blp.arguments(DeclineArgs())
@blp.response(200, StockRequestSchema)
def decline_request(args, request_id):
    return stock_requests.decline(request_id, args["reason"], current_user(), now())
