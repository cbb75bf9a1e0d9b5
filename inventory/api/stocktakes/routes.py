"""Stocktakes: open a count of a location, scan into it, see it, close it, print its report."""

from __future__ import annotations

from flask import Response

from ...auth import current_user, requires
from ...clock import now
from ...permissions import Permission
from ...schemas.stocktakes import (
    ScanAnswerSchema,
    StocktakeCloseArgs,
    StocktakeListArgs,
    StocktakeOpenArgs,
    StocktakeScanArgs,
    StocktakeSchema,
    StocktakeSummarySchema,
)
from ...services import stocktake_report
from ...services import stocktakes as stocktake_service
from ..common import Blueprint, paginate

blp = Blueprint(
    "stocktakes",
    __name__,
    url_prefix="/api/v1/stocktakes",
    description="Counts of a location against what should be there (partners: their own hubs)",
)


@blp.route("", methods=["POST"])
@requires(Permission.STOCKTAKE)
@blp.arguments(StocktakeOpenArgs())
@blp.response(201, StocktakeSchema)
def open_stocktake(args):
    """Open a count: what should be there (in stock, in kits, quarantine, repair, received, and missing
    items last seen there) is frozen now. One count at a time per location (409 names the open one)."""
    stocktake = stocktake_service.open_stocktake(args["location"], current_user(), now())
    return stocktake_service.view(stocktake, current_user())


@blp.route("", methods=["GET"])
@requires(Permission.STOCKTAKE)
@blp.arguments(StocktakeListArgs(), location="query")
@blp.response(200, StocktakeSummarySchema(many=True))
@blp.paginate()
def list_stocktakes(args, pagination_parameters):
    """Stocktakes, newest first."""
    return paginate(stocktake_service.list_stocktakes(current_user(), **args), pagination_parameters)


@blp.route("/<id:stocktake_id>", methods=["GET"])
@requires(Permission.STOCKTAKE)
@blp.response(200, StocktakeSchema)
def get_stocktake(stocktake_id):
    """Found, missing and unexpected so far (a partner sees only the tag and type of an unexpected item
    recorded at a location that is not theirs)."""
    return stocktake_service.view(stocktake_service.get_stocktake(stocktake_id, current_user()), current_user())


@blp.route("/<id:stocktake_id>/scans", methods=["POST"])
@requires(Permission.STOCKTAKE)
@blp.arguments(StocktakeScanArgs())
@blp.response(200, ScanAnswerSchema)
def scan_into_stocktake(args, stocktake_id):
    """Count scanned codes. A code that names nothing refuses the request (422, by index) and nothing is
    recorded; repeats are harmless; several people scanning at once add up."""
    return stocktake_service.record_scans(stocktake_id, args["codes"], current_user(), now())


@blp.route("/<id:stocktake_id>/close", methods=["POST"])
@requires(Permission.STOCKTAKE)
@blp.arguments(StocktakeCloseArgs())
@blp.response(200, StocktakeSchema)
def close_stocktake(args, stocktake_id):
    """Close the count and apply the chosen actions, each change with its event; `outcomes` says what
    was done to each item, and why anything was left."""
    stocktake = stocktake_service.close_stocktake(
        stocktake_id, args["missing"], args["unexpected"], current_user(), now()
    )
    return stocktake_service.view(stocktake, current_user())


@blp.route("/<id:stocktake_id>/report", methods=["GET"])
@requires(Permission.STOCKTAKE)
@blp.response(200, description="The stocktake report, a PDF", content_type="application/pdf")
def stocktake_report_pdf(stocktake_id):
    counted = stocktake_service.view(stocktake_service.get_stocktake(stocktake_id, current_user()), current_user())
    return Response(
        stocktake_report.report_pdf(counted),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="stocktake-{stocktake_id}.pdf"'},
    )
