"""Kits: build from scanned items, look up, move together, take apart."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...auth import current_user, requires
from ...permissions import Permission
from ...services import kits as kit_service
from ..assets.schemas import EventSchema
from ..common import Blueprint, PartnerNarrowing, Text, code_of

blp = Blueprint("kits", __name__, url_prefix="/api/v1/kits", description="Kits of assets prepared together")


class KitSchema(PartnerNarrowing, Schema):
    PARTNER_FIELDS = frozenset({"tag", "items", "status", "location", "programme", "template"})

    tag = fields.Str()
    status = fields.Str()
    items = fields.Function(lambda k: [a.tag for a in k.items])
    location = fields.Function(lambda k: code_of(k.location))
    programme = fields.Function(lambda k: code_of(k.programme))
    template = fields.Function(lambda k: code_of(k.template))


class KitCreateArgs(Schema):
    items = fields.List(Text(40), required=True, validate=validate.Length(min=1, max=kit_service.MAX_ITEMS))
    template = Text(20, load_default=None, allow_none=True)
    note = Text(500, load_default=None, allow_none=True)


class KitMoveArgs(Schema):
    location = Text(20, required=True)
    note = Text(500, load_default=None, allow_none=True)


class KitDismantleArgs(Schema):
    note = Text(500, load_default=None, allow_none=True)


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
