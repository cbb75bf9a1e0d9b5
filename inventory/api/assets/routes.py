"""Assets: receive one or a manifest, look up, list, read history, and move through the life cycle."""

from __future__ import annotations

from typing import IO

from flask import current_app, request

from ...auth import current_user, requires
from ...errors import InvalidInput
from ...http import spooled_body
from ...permissions import Permission
from ...schemas.assets import (
    AssetCreateArgs,
    AssetListArgs,
    AssetSchema,
    AssetUpdateArgs,
    EventSchema,
    ImportQueryArgs,
    ImportResultSchema,
    MoveArgs,
    QuarantineArgs,
    RepairArgs,
    RestockArgs,
    RetireArgs,
)
from ...services import asset_details, lifecycle, receiving
from ...services import assets as asset_service
from ..common import LIST_HEADERS, Blueprint, paginate_by_cursor

blp = Blueprint("assets", __name__, url_prefix="/api/v1/assets", description="Assets and their life cycle")

_CSV_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        "text/csv": {"schema": {"type": "string"}},
    },
}
_ROW_ERRORS = {"description": "Some rows are wrong; nothing was stored. Each error has row, column and message."}


@blp.route("", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.arguments(AssetListArgs(), location="query")
@blp.response(200, AssetSchema(many=True), headers=LIST_HEADERS)
@blp.paginate()
def list_assets(args, pagination_parameters):
    """Assets in the order received. Follow `X-Next-Cursor` (or the `Link` header) page after page;
    `page` numbers reach the first 10,000 rows only."""
    cursor = args.pop("cursor", None)
    viewer = current_user()
    return paginate_by_cursor(
        lambda after: asset_service.asset_query(viewer, after=after, **args),
        pagination_parameters,
        cursor=cursor,
        filters=args,
        ids=asset_service.counted_ids(viewer, **args),
    )


@blp.route("", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(AssetCreateArgs())
@blp.response(201, AssetSchema)
def create_asset(args):
    return receiving.receive_one(args, current_user())


@blp.route("/import", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(ImportQueryArgs(), location="query")
@blp.response(201, ImportResultSchema)
@blp.alt_response(200, schema=ImportResultSchema, description="dry_run=true: every row checked, nothing stored")
@blp.alt_response(422, description=_ROW_ERRORS["description"])
@blp.doc(requestBody=_CSV_BODY)
def import_assets(args):
    """Import a delivery manifest (CSV), all or nothing."""
    result = receiving.import_manifest(
        _uploaded_csv(), current_user(), dry_run=args["dry_run"], max_rows=current_app.config["MAX_IMPORT_ROWS"]
    )
    return result.__dict__, (200 if result.dry_run else 201)


def _uploaded_csv() -> IO[bytes]:
    """The upload as a file read a row at a time: a form's file as Werkzeug spooled it (to disk beyond
    500 KB), a plain body spooled the same way; never the whole file as one string in the worker."""
    if request.files:
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput("Send the CSV as the form field 'file'", {"files": {"file": ["Missing file."]}})
        return upload.stream
    if request.mimetype in ("text/csv", "text/plain", "application/csv", "application/octet-stream"):
        return spooled_body()
    raise InvalidInput(
        "Send a CSV file: a multipart form with a 'file' field, or a text/csv body",
        {"files": {"file": ["Missing file."]}},
    )


@blp.route("/<tag>", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.response(200, AssetSchema)
def get_asset(tag):
    return asset_service.get_asset(tag, current_user())


@blp.route("/<tag>", methods=["PATCH"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(AssetUpdateArgs())
@blp.response(200, AssetSchema)
def update_asset(args, tag):
    """Correct its make, model, serial, condition or programme; the history says what changed."""
    return asset_details.update_details(tag, args, current_user())


@blp.route("/<tag>/history", methods=["GET"])
@requires(Permission.READ_HISTORY)
@blp.response(200, EventSchema(many=True))
def asset_history(tag):
    """Every change of the asset, oldest first."""
    return asset_service.history(tag)


@blp.route("/<tag>/move", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(MoveArgs())
@blp.response(200, AssetSchema)
def move_asset(args, tag):
    return lifecycle.move(tag, args["location"], current_user(), args["note"])


@blp.route("/<tag>/quarantine", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(QuarantineArgs())
@blp.response(200, AssetSchema)
def quarantine_asset(args, tag):
    return lifecycle.quarantine(tag, current_user(), **args)


@blp.route("/<tag>/restock", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(RestockArgs())
@blp.response(200, AssetSchema)
def restock_asset(args, tag):
    return lifecycle.restock(tag, current_user(), **args)


@blp.route("/<tag>/repair", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(RepairArgs())
@blp.response(200, AssetSchema)
def repair_asset(args, tag):
    return lifecycle.repair(tag, current_user(), **args)


@blp.route("/<tag>/retire", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.arguments(RetireArgs())
@blp.response(200, AssetSchema)
def retire_asset(args, tag):
    return lifecycle.retire(tag, current_user(), **args)
