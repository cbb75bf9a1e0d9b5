"""Kits: build from scanned items, look up, move together, take apart."""

from __future__ import annotations

from ...auth import current_user, requires
from ...permissions import Permission
from ...schemas.assets import EventSchema
from ...schemas.kits import KitCreateArgs, KitDismantleArgs, KitMoveArgs, KitSchema
from ...services import kits as kit_service
from ..common import Blueprint

blp = Blueprint("kits", __name__, url_prefix="/api/v1/kits", description="Kits of assets prepared together")


@blp.route("", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(KitCreateArgs())
@blp.response(201, KitSchema)
def build_kit(args):
    return kit_service.build_kit(args["items"], current_user(), template=args["template"], note=args["note"])


@blp.route("/<tag>", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.response(200, KitSchema)
def get_kit(tag):
    return kit_service.get_kit(tag, current_user())


@blp.route("/<tag>", methods=["DELETE"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(KitDismantleArgs(), location="query")
@blp.response(200, KitSchema)
def dismantle_kit(args, tag):
    """Take the kit apart: its items go back into stock where they are; the kit's tag is retired."""
    return kit_service.dismantle_kit(tag, current_user(), note=args["note"])


@blp.route("/<tag>/move", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(KitMoveArgs())
@blp.response(200, KitSchema)
def move_kit(args, tag):
    return kit_service.move_kit(tag, args["location"], current_user(), note=args["note"])


@blp.route("/<tag>/history", methods=["GET"])
@requires(Permission.READ_HISTORY)
@blp.response(200, EventSchema(many=True))
def kit_history(tag):
    return kit_service.kit_history(tag)
