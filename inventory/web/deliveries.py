"""Deliveries (warehouse): upload a CSV manifest, see every row with its errors in place, import it,
then print the batch's labels. The preview and the import call the same service as the API's import."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Asset, AssetType, Delivery, DeliveryContent
from ..permissions import Permission
from ..services import labels, receiving
from ..services import manifest as manifest_reader
from ..services.asset_fields import FIELDS
from . import bp, words
from .common import attempt, needs, print_labels

MAX_UPLOAD_ROWS = 10_000  # bigger deliveries go through `inventory assets import` (with a progress bar)
PREVIEW_ROWS = 500


def _uploaded_text() -> str | None:
    """The manifest as text: the file just chosen, or the text carried from the preview to the import."""
    upload = request.files.get("manifest")
    if upload is not None and upload.filename:
        return manifest_reader.decode(upload.read())
    return request.form.get("manifest_text") or None


def _recent_batches(limit: int = 15):
    # Each import writes its delivery's row (and the labels it prints are counted there), so this reads
    # 15 rows by index at any size of the asset table.
    """The latest deliveries: (batch id, its name, count, received at, labels printed)."""
    batches = db.session.execute(
        sa.select(Delivery.batch, Delivery.assets, Delivery.received_at, Delivery.labelled)
        .order_by(Delivery.received_at.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
    names = batch_names([b for b, *_ in batches if b is not None])
    return [
        (batch, names.get(batch or "", batch), count, received, labelled)
        for batch, count, received, labelled in batches
    ]


def batch_names(batches: list[str]) -> dict[str, str]:
    """Each delivery named by the day it came and what came from whom: "2 December 2026: 40 Samsung
    tablets, 10 Vodafone SIMs". The batch id stays the address (/deliveries/ID); this is only its name.
    Read from the kept contents (a few rows a batch) and the delivery's own row; a batch with no
    delivery row (received otherwise) is dated by its earliest asset."""
    if not batches:
        return {}
    rows = db.session.execute(
        sa.select(DeliveryContent.batch, DeliveryContent.type, DeliveryContent.make, DeliveryContent.count)
        .where(DeliveryContent.batch.in_(batches), DeliveryContent.count > 0)
        .order_by(DeliveryContent.count.desc(), DeliveryContent.type, DeliveryContent.make)
    ).all()
    parts: dict[str, list[str]] = {}
    for batch, kind, make, count in rows:
        noun = "SIM" if kind == AssetType.SIM.value else words.label(kind).lower()
        parts.setdefault(batch, []).append(f"{count} {make} {noun}{'' if count == 1 else 's'}")
    dated = sa.select(Delivery.batch, Delivery.received_at).where(Delivery.batch.in_(list(parts)))
    received: dict[str, datetime] = {batch: at for batch, at in db.session.execute(dated)}
    undated = [batch for batch in parts if batch not in received]
    if undated:
        earliest = (
            sa.select(Asset.batch, sa.func.min(Asset.received_at)).where(Asset.batch.in_(undated)).group_by(Asset.batch)
        )
        received |= {batch: at for batch, at in db.session.execute(earliest) if batch is not None}
    return {
        batch: f"{words.ukdate(received[batch])}: {', '.join(found[:3])}{' and more' if len(found) > 3 else ''}"
        for batch, found in parts.items()
    }


@bp.route("/deliveries", methods=["GET"])
@needs(Permission.HANDLE_STOCK)
def deliveries():
    return render_template("deliveries.html", batches=_recent_batches(), columns=FIELDS)


@bp.route("/deliveries/preview", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def delivery_preview():
    text = _uploaded_text()
    if not text:
        flash("Choose the delivery's CSV file first.", "error")
        return redirect(url_for("web.deliveries"))
    # Read once, as a stream: the dry run checks every row, and the first PREVIEW_ROWS are kept to show.
    parsed = manifest_reader.ManifestStream(text, max_rows=MAX_UPLOAD_ROWS, keep=PREVIEW_ROWS)
    _, refused = attempt(lambda: receiving.import_manifest(parsed, current_user, dry_run=True))
    problems = getattr(refused, "row_errors", None) or []
    if refused is not None and not problems:
        problems = [manifest_reader.RowError(1, None, refused.message)]
    by_row: dict[int, dict[str | None, list[str]]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, {}).setdefault(problem.column, []).append(problem.message)
    rows = parsed.kept
    shown_rows = {n for n, _ in rows}
    return render_template(
        "delivery_preview.html",
        rows=rows,
        columns=FIELDS,
        by_row=by_row,
        refused=refused,
        text=text,
        filename=getattr(request.files.get("manifest"), "filename", None) or "the manifest",
        total=parsed.rows,
        shown_rows=shown_rows,
    ), 422 if refused else 200


@bp.route("/deliveries/import", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def delivery_import():
    text = _uploaded_text()
    if not text:
        flash("Choose the delivery's CSV file first.", "error")
        return redirect(url_for("web.deliveries"))
    result, refused = attempt(lambda: receiving.import_manifest(text, current_user, max_rows=MAX_UPLOAD_ROWS))
    if refused:
        # Something changed since the preview (another import took those serials): show it again, with why.
        flash(refused.message, "error")
        return delivery_preview()
    assert result is not None  # not refused
    name = batch_names([result.batch]).get(result.batch, result.batch) if result.batch else ""
    flash(f"{result.created} assets received ({name}). Print their labels now.", "success")
    return redirect(url_for("web.delivery_batch", batch=result.batch))


@bp.route("/deliveries/<batch>")
@needs(Permission.HANDLE_STOCK)
def delivery_batch(batch: str):
    assets = db.session.scalars(sa.select(Asset).where(Asset.batch == batch[:32]).order_by(Asset.id)).all()
    if not assets:
        return render_template("not_found.html", code=batch, message=f"No delivery batch {batch}"), 404
    return render_template(
        "delivery_batch.html",
        batch=batch,
        name=batch_names([batch[:32]]).get(batch[:32], batch),
        assets=assets,
        sheets=labels.TEMPLATE_CODES,
    )


@bp.route("/deliveries/<batch>/labels", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def delivery_labels(batch: str):
    unprinted = request.form.get("unprinted") == "yes"
    download, refused = print_labels(lambda: labels.select(batch=batch[:32], unprinted=unprinted), request.form)
    if refused:
        flash(refused.message, "error")
        return redirect(url_for("web.delivery_batch", batch=batch))
    return download
