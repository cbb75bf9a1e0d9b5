"""The asset list (/assets): search, filters, a sort and paging by cursor, all in the address (a GET form),
so the browser's Back and a copied link return to the same list; /assets.csv streams that list."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from .. import clock
from ..errors import InvalidInput
from ..extensions import db
from ..models import AssetStatus, AssetType
from ..permissions import PARTNER_ASSET_FIELDS, Permission, sees_everything
from ..schemas.assets import ASSET_SORTS, AssetPageArgs
from ..services import asset_export, reference
from ..services import assets as asset_service
from ..services.cursors import cursor_after, keyed_cursor_after, read_cursor, read_keyed_cursor
from ..services.users import Principal
from . import bp, words
from .common import load_form, needs

PAGE_SIZE = 50
# The columns of the page's table, in order; partners see the stock fields only.
COLUMNS = ("tag", "type", "make", "model", "serial", "status", "location", "programme")


def _query_after(viewer, args: dict):
    return asset_export.query_after(viewer, args)


def _keyed(args: dict) -> bool:
    return asset_export.keyed(args)


def _list_args() -> tuple[dict, dict[str, str]]:
    return load_form(AssetPageArgs(), request.args)


def _with(path: str, query: list[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(query) if query else "")


@bp.route("/assets", endpoint="asset_list")
@needs(Permission.LOOK_UP)
def asset_list():
    args, errors = _list_args()
    rows, next_url, refused = [], None, None
    if errors:
        refused = InvalidInput("Some of the search is not right: see the form")
    else:
        filters = {k: v for k, v in args.items() if k != "cursor"}
        query_after = _query_after(current_user, args)
        try:
            after = None
            if args.get("cursor"):
                after = (
                    read_keyed_cursor(args["cursor"], filters) if _keyed(args) else read_cursor(args["cursor"], filters)
                )
        except InvalidInput as bad:
            refused, errors, after = bad, {"cursor": "Start again from the first page."}, None
        if refused is None:
            rows = list(db.session.scalars(query_after(after).limit(PAGE_SIZE + 1)).unique())
            if len(rows) > PAGE_SIZE:
                rows = rows[:PAGE_SIZE]
                kept = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor" and v]
                last = rows[-1]
                following = (
                    keyed_cursor_after(asset_service.sort_key(last, args["sort"]), last.id, filters)
                    if _keyed(args)
                    else cursor_after(last.id, filters)
                )
                next_url = _with(url_for("web.asset_list"), [*kept, ("cursor", following)])
    export = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor" and v]
    return render_template(
        "assets.html",
        rows=rows,
        columns=[c for c in COLUMNS if sees_everything(current_user.role) or c in PARTNER_ASSET_FIELDS],
        args=request.args,
        errors=errors,
        refused=refused,
        next_url=next_url,
        first_url=_with(url_for("web.asset_list"), export) if request.args.get("cursor") else None,
        csv_url=_with(url_for("web.asset_list_csv"), export),
        types=[(t.value, words.label(t.value)) for t in AssetType],
        statuses=[(s.value, words.status(s.value)) for s in AssetStatus],
        locations=[(loc.code, f"{loc.name} ({loc.code})") for loc in reference.list_locations(current_user)],
        programmes=[(p.code, f"{p.name} ({p.code})") for p in reference.list_programmes()],
        sorts=list(ASSET_SORTS.items()),
        filtered=any(v for k, v in request.args.items() if k != "sort"),
    ), (422 if refused else 200)


@bp.route("/assets.csv", endpoint="asset_list_csv")
@needs(Permission.LOOK_UP)
def asset_list_csv():
    """Every asset of the list as the page filters it (all pages), streamed as it is read."""
    args, errors = _list_args()
    if errors:
        return asset_list()
    args.pop("cursor", None)
    if asset_export.longer_than(_query_after(current_user, args)(None), asset_export.IN_REQUEST_ROWS):
        # Streamed here, a million rows would hold a web worker for minutes: made in the background instead
        # (a POST, since it starts work), from the same filters.
        kept = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor" and v]
        return render_template(
            "export_in_background.html",
            kept=kept,
            limit=asset_export.IN_REQUEST_ROWS,
            back=_with(url_for("web.asset_list"), kept),
        )
    # The rows are read while the answer streams, in a database session of their own (the request's is
    # gone by then): so the viewer goes in as plain values, not as a row of the request's session.
    viewer = Principal(
        id=current_user.id,
        email=current_user.email,
        role=current_user.role,
        organisation_id=current_user.organisation_id,
    )
    lines = asset_export.csv_lines(_query_after(viewer, args), viewer, asset_export.position_for(args))
    stamp = clock.today().isoformat()
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="assets-{stamp}.csv"'},
    )


@bp.route("/assets.csv", methods=["POST"], endpoint="asset_list_export")
@needs(Permission.LOOK_UP)
def asset_list_export():
    """Start the export of a long list in the background, and show its page."""
    args, errors = load_form(AssetPageArgs(), request.form)
    if errors:
        return asset_list()
    job = asset_export.start_export_job(current_user, args)
    return redirect(url_for("web.job_page", job_id=job.id))
