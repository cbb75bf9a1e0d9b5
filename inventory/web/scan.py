"""The scan station (warehouse): scan codes into a batch, then act on the batch.

Works without JavaScript (each scan posts the form; the batch travels in a hidden field), and with it
(scan.js posts each code for a JSON row, plays a sound and keeps the input focused)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import today
from ..errors import Conflict, DomainError, InvalidInput, NotFound
from ..permissions import Permission
from ..services import assets as asset_service
from ..services import batches, kits, labels, reference, scanning
from ..tags import looks_like_tag, normalise
from . import bp
from .common import attempt, needs, print_labels, tags_in


@dataclass(frozen=True)
class Mode:
    label: str
    needs: str | None  # the scan action every item must offer for this job (None: anything goes)
    verb: str


MODES = {
    "look": Mode("Just look things up", None, "looked up"),
    "move": Mode("Move to a location", "move", "moved"),
    "kit": Mode("Build a kit", "build_kit", "put in a kit"),
    "restock": Mode("Restock after a wipe", "restock", "restocked"),
    "return": Mode("Receive returned items", "return", "received back"),
    "labels": Mode("Print labels", None, "labelled"),
    # Jobs on a consignment: the box label first, then each item (pages in web/logistics.py).
    "pack": Mode("Pack a consignment", None, "packed"),
    "receive": Mode("Receive a delivery", None, "received"),
}
BOX_JOBS = ("pack", "receive")
MAX_LIST = batches.MAX_BATCH


@dataclass
class ScanRow:
    code: str
    outcome: str  # ok, unknown, mistyped, wrong_state, repeat
    message: str
    tag: str | None = None
    kind: str | None = None
    type: str | None = None
    status: str | None = None
    location: str | None = None


def check_scan(code: str, mode: Mode, batch: list[str]) -> ScanRow:
    """What one scan means for the job in hand: each kind of failure is told apart (and sounds different)."""
    code = code.strip()
    try:
        found = scanning.resolve(code, current_user)
    except InvalidInput as refused:
        typo = looks_like_tag(normalise(code)) or "/a/" in code.lower()
        return ScanRow(code, "mistyped" if typo else "unknown", refused.message)
    except (NotFound, Conflict) as refused:
        return ScanRow(code, "unknown", refused.message)
    row = ScanRow(code, "ok", "", found.tag, found.kind, found.type, found.status, found.location)
    if found.tag in batch:
        row.outcome, row.message = "repeat", f"{found.tag} is already in this batch"
    elif mode.needs and mode.needs not in found.actions:
        row.outcome = "wrong_state"
        row.message = f"{found.tag} ({found.type}) is {found.status.replace('_', ' ')}, so it cannot be {mode.verb}"
    else:
        row.message = f"{found.tag} {found.type}, {found.status.replace('_', ' ')}" + (
            f" at {found.location}" if found.location else ""
        )
    return row


def _kit_progress(template_code: str | None, types: list[str]) -> dict | None:
    """What the template still lacks (or has too much of), given the types of the items in the batch."""
    if not template_code:
        return None
    template, refused = attempt(lambda: reference.get_kit_template(template_code))
    if template is None:  # refused
        return None
    missing, extra = kits.gaps_for_types(template, types)
    return {"template": template.code, "missing": missing, "extra": extra, "complete": not missing and not extra}


def _mode() -> tuple[str, Mode]:
    name = request.values.get("mode", "look")
    return (name, MODES[name]) if name in MODES else ("look", MODES["look"])


def _page(
    mode_name: str,
    rows: list[ScanRow],
    *,
    last: ScanRow | None = None,
    refused: DomainError | None = None,
    status: int = 200,
):
    template_code = request.values.get("template") or None
    return render_template(
        "scan.html",
        modes=MODES,
        mode_name=mode_name,
        rows=rows,
        last=last,
        refused=refused,
        batch=[r.tag for r in rows if r.outcome == "ok"],
        locations=reference.list_locations(current_user, active_only=True),
        templates=reference.list_kit_templates(active_only=True),
        template_code=template_code,
        progress=_kit_progress(template_code, [r.type for r in rows if r.outcome == "ok" and r.type])
        if mode_name == "kit"
        else None,
        sheet_templates=labels.TEMPLATE_CODES,
        form=request.form,
    ), status


@bp.route("/scan", methods=["GET", "POST"])
@needs(Permission.HANDLE_STOCK)
def scan_station():
    mode_name, mode = _mode()
    if mode_name in BOX_JOBS:
        return redirect(url_for("web.consignment_box", job=mode_name))
    batch = [normalise(t) for t in tags_in(request.form.get("tags"))[:MAX_LIST]]
    code = request.form.get("code", "").strip()
    if request.method == "POST" and code and request.accept_mimetypes.best == "application/json":
        # scan.js keeps the batch on the page: check only the new code (a scan must not cost a look-up
        # per item already scanned), and read the batch's types in one query for the kit's progress.
        last = check_scan(code, mode, batch)
        progress = None
        if mode_name == "kit":
            tags = batch + ([last.tag] if last.outcome == "ok" and last.tag else [])
            progress = _kit_progress(request.form.get("template"), asset_service.types_of(tags))
        return jsonify(row=asdict(last), progress=progress)
    # Without JavaScript the page is drawn again: the batch so far, checked again (things may have
    # changed since they were scanned), then the new code.
    rows = [check_scan(tag, mode, batch[:i]) for i, tag in enumerate(batch)]
    if not code:
        return _page(mode_name, rows)
    last = check_scan(code, mode, [r.tag for r in rows if r.outcome == "ok" and r.tag])
    if last.outcome == "ok":
        rows.append(last)
    return _page(mode_name, rows, last=last)


@bp.route("/scan/batch", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def scan_batch():
    """Do the chosen job to every item in the batch: all of them, or none and a reason for each refusal."""
    mode_name, mode = _mode()
    batch = tags_in(request.form.get("tags"))
    form = request.form
    if mode_name == "labels":
        download, refused = print_labels(lambda: labels.select(tags=batch), form)
        if download:
            return download
    elif mode_name == "kit":
        kit, refused = attempt(
            lambda: kits.build_kit(
                batch, current_user, template=form.get("template") or None, note=form.get("note") or None
            )
        )
        if kit:
            flash(f"Kit {kit.tag} built from {len(batch)} items. Print its label below.", "success")
            return redirect(url_for("web.asset_page", code=kit.tag))
    elif mode_name in batches.ACTIONS:
        done, refused = attempt(
            lambda: batches.apply(
                mode_name,
                batch,
                current_user,
                today=today(),
                location=form.get("location") or None,
                wipe_certificate=form.get("wipe_certificate") or None,
                note=form.get("note") or None,
            )
        )
        if done:
            where = f" to {form['location']}" if form.get("location") and mode_name != "restock" else ""
            flash(f"{done} item{'s' if done != 1 else ''} {mode.verb}{where}.", "success")
            return redirect(url_for("web.scan_station", mode=mode_name))
    else:
        return redirect(url_for("web.scan_station", mode=mode_name))
    rows = [check_scan(tag, mode, batch[:i]) for i, tag in enumerate(batch)]
    return _page(mode_name, rows, refused=refused, status=refused.status)
