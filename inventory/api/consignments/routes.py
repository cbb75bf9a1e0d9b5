"""Consignments: the warehouse packs and dispatches; the destination's partner, the warehouse and admins
receive and close."""

from __future__ import annotations

from flask import Response

from ...auth import current_user, requires
from ...clock import now
from ...permissions import Permission
from ...schemas.logistics import (
    CloseArgs,
    ConsignmentCreateArgs,
    ConsignmentQueryArgs,
    ConsignmentSchema,
    DispatchArgs,
    ItemsArgs,
    ReceiptSchema,
    ReceiveArgs,
)
from ...services import consignments
from ...services.packing_list import packing_list_pdf
from ..common import Blueprint, paginate

blp = Blueprint(
    "consignments",
    __name__,
    url_prefix="/api/v1/consignments",
    description="Consignments of stock between locations, with a box label from the tag series",
)


@blp.route("", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(ConsignmentCreateArgs())
@blp.response(201, ConsignmentSchema)
def create_consignment(args):
    return consignments.create_consignment(
        to=args["to"], from_=args["from_"], request_id=args["request"], actor=current_user()
    )


@blp.route("", methods=["GET"])
@requires(Permission.RECEIVE_CONSIGNMENT)
@blp.arguments(ConsignmentQueryArgs(), location="query")
@blp.response(200, ConsignmentSchema(many=True))
@blp.paginate()
def list_consignments(args, pagination_parameters):
    """Newest first (`status=part_received` lists the shortfalls); partners see their own hubs' only."""
    return paginate(consignments.consignment_query(current_user(), **args), pagination_parameters)


@blp.route("/<tag>", methods=["GET"])
@requires(Permission.RECEIVE_CONSIGNMENT)
@blp.response(200, ConsignmentSchema)
def get_consignment(tag):
    return consignments.get_consignment(tag, current_user())


@blp.route("/<tag>/items", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(ItemsArgs())
@blp.response(200, ConsignmentSchema)
def add_items(args, tag):
    """Pack assets, or kits with their items, that are in stock where it leaves from."""
    return consignments.add_items(tag, args["items"], current_user(), note=args["note"])


@blp.route("/<tag>/items/<item>", methods=["DELETE"])
@requires(Permission.HANDLE_STOCK)
@blp.response(200, ConsignmentSchema)
def remove_item(tag, item):
    return consignments.remove_item(tag, item, current_user())


@blp.route("/<tag>/dispatch", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(DispatchArgs())
@blp.response(200, ConsignmentSchema)
def dispatch(args, tag):
    return consignments.dispatch(tag, current_user(), now(), note=args["note"])


@blp.route("/<tag>/receive", methods=["POST"])
@requires(Permission.RECEIVE_CONSIGNMENT)
@blp.arguments(ReceiveArgs())
@blp.response(200, ReceiptSchema)
def receive(args, tag):
    return consignments.receive(
        tag, current_user(), now(), items=args["items"], damaged=args["damaged"], note=args["note"]
    )


@blp.route("/<tag>/close", methods=["POST"])
@requires(Permission.RECEIVE_CONSIGNMENT)
@blp.arguments(CloseArgs())
@blp.response(200, ReceiptSchema)
def close(args, tag):
    """Close it short: what never came is marked missing."""
    return consignments.close(tag, current_user(), now(), short=args["short"], note=args["note"])


@blp.route("/<tag>/packing-list", methods=["GET"])
@requires(Permission.RECEIVE_CONSIGNMENT)
@blp.response(200, description="The packing list, a PDF", content_type="application/pdf")
def packing_list(tag):
    consignment = consignments.get_consignment(tag, current_user())
    return Response(
        packing_list_pdf(consignment),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="packing-list-{consignment.tag}.pdf"'},
    )
