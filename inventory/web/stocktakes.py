"""Stocktake pages: start a count, scan into it (wedge scanner, phone camera, or typing) with live counts
from everyone counting, close it with the chosen actions, download the report.

Works without JavaScript (each scan posts the form and the page is drawn again); with it, stocktake.js
posts each code for a JSON row and polls counts.json so that other people's scans show up too."""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import now, today
from ..errors import Conflict, DomainError, InvalidInput
from ..extensions import db
from ..models import MissingChoice, UnexpectedChoice
from ..permissions import Permission
from ..services import reference, stocktake_report
from ..services import stocktakes as stocktake_service
from . import bp, words
from .common import attachment, attempt, needs

LIVE_LIST = 200  # items of each list the live page redraws; the report has them all


@bp.route("/stocktakes", methods=["GET"], endpoint="stocktakes")
@needs(Permission.STOCKTAKE)
def stocktakes_page(refused: DomainError | None = None, status: int = 200):
    recent = db.session.scalars(stocktake_service.list_stocktakes(current_user).limit(50)).all()
    return render_template(
        "stocktakes.html",
        stocktakes=recent,
        locations=reference.list_locations(current_user, active_only=True),
        due=stocktake_service.due(current_user, today(), current_app.config["STOCKTAKE_DAYS"]),
        stocktake_days=current_app.config["STOCKTAKE_DAYS"],
        chosen=request.values.get("location"),
        refused=refused,
    ), status


@bp.route("/stocktakes", methods=["POST"])
@needs(Permission.STOCKTAKE)
def open_stocktake():
    stocktake, refused = attempt(
        lambda: stocktake_service.open_stocktake(request.form.get("location", ""), current_user, now())
    )
    if stocktake is None:
        assert refused is not None
        return stocktakes_page(refused, refused.status)
    return redirect(url_for("web.stocktake", stocktake_id=stocktake.id))


@bp.route("/stocktakes/<id:stocktake_id>", methods=["GET"], endpoint="stocktake")
@needs(Permission.STOCKTAKE)
def stocktake_page(stocktake_id: int):
    counted = stocktake_service.view(stocktake_service.get_stocktake(stocktake_id, current_user), current_user)
    return render_template(
        "stocktake.html",
        counted=counted,
        stocktake=counted.stocktake,
        is_open=stocktake_service.is_open(counted.stocktake),
        live_list=LIVE_LIST,
    )


def _live(counted: stocktake_service.StocktakeView) -> dict:
    return {
        "status": counted.stocktake.status.value,
        "counts": asdict(counted.counts),
        "missing": counted.missing[:LIVE_LIST],
        # The recorded status in words too, so the live list reads as the page drawn by the server does.
        "unexpected": [
            asdict(item) | {"status_text": words.status(item.status) if item.status else None}
            for item in counted.unexpected_items[:LIVE_LIST]
        ],
    }


@bp.route("/stocktakes/<id:stocktake_id>/counts.json", methods=["GET"])
@needs(Permission.STOCKTAKE)
def stocktake_counts(stocktake_id: int):
    """What the live page polls: the counts and the lists as everyone's scans have left them."""
    counted = stocktake_service.view(stocktake_service.get_stocktake(stocktake_id, current_user), current_user)
    return jsonify(_live(counted))


@bp.route("/stocktakes/<id:stocktake_id>/scan", methods=["POST"])
@needs(Permission.STOCKTAKE)
def stocktake_scan(stocktake_id: int):
    code = request.form.get("code", "").strip()
    wants_json = request.accept_mimetypes.best == "application/json"
    stocktake_service.get_stocktake(stocktake_id, current_user)  # someone else's: 404 before anything else
    if not code:
        row = {"code": "", "outcome": "unknown", "message": "Scan or type a code"}
    else:
        answer, refused = attempt(lambda: stocktake_service.record_scans(stocktake_id, [code], current_user, now()))
        row = _row(code, answer, refused)
    if wants_json:
        counted = stocktake_service.view(stocktake_service.get_stocktake(stocktake_id, current_user), current_user)
        return jsonify(row=row, **_live(counted))
    flash(row["message"], "success" if row["outcome"] in ("found", "unexpected", "repeat") else "error")
    return redirect(url_for("web.stocktake", stocktake_id=stocktake_id))


def _row(code: str, answer, refused: DomainError | None) -> dict:
    """One scan as the page shows it: found, unexpected, repeat, or why it could not be counted."""
    if answer is not None:
        results = answer.results
        if len(results) == 1:
            return asdict(results[0])
        fresh = sum(r.outcome != "repeat" for r in results)
        return {
            "code": code,
            "tag": code,
            "outcome": "found" if fresh else "repeat",
            "message": f"{len(results)} items counted ({fresh} new): " + ", ".join(r.tag for r in results),
        }
    assert refused is not None
    if isinstance(refused, InvalidInput) and isinstance(refused.errors, dict) and "codes" in refused.errors:
        message = refused.errors["codes"][0][0]
        return {"code": code, "outcome": "unknown", "message": message}
    if isinstance(refused, Conflict):
        return {"code": code, "outcome": "closed", "message": refused.message}
    return {"code": code, "outcome": "unknown", "message": refused.message}


@bp.route("/stocktakes/<id:stocktake_id>/close", methods=["POST"])
@needs(Permission.STOCKTAKE)
def close_stocktake(stocktake_id: int):
    form = request.form
    stocktake, refused = attempt(
        lambda: stocktake_service.close_stocktake(
            stocktake_id,
            _choice(MissingChoice, form.get("missing"), "missing"),
            _choice(UnexpectedChoice, form.get("unexpected"), "unexpected"),
            current_user,
            now(),
        )
    )
    if refused is not None:
        flash(refused.message, "error")
    else:
        flash("The stocktake is closed. Download its report below.", "success")
    return redirect(url_for("web.stocktake", stocktake_id=stocktake_id))


def _choice(kind, value: str | None, field: str) -> str:
    choices = [c.value for c in kind]
    if value is None or value not in choices:
        raise InvalidInput(f"Choose what to do with {field} items", {field: [f"One of: {', '.join(choices)}."]})
    return value


@bp.route("/stocktakes/<id:stocktake_id>/report.pdf", methods=["GET"])
@needs(Permission.STOCKTAKE)
def stocktake_report_pdf(stocktake_id: int):
    counted = stocktake_service.view(stocktake_service.get_stocktake(stocktake_id, current_user), current_user)
    return attachment(stocktake_report.report_pdf(counted), "application/pdf", f"stocktake-{stocktake_id}.pdf")
