"""Hub logistics pages: a hub's requests and deliveries (partners), requests against stock (admins),
consignments packed and received by scanning (the warehouse; partners at their hubs). Every form calls
the same services as the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import now, today
from ..errors import InvalidInput
from ..extensions import db
from ..models import AssetType, ConsignmentAction, ConsignmentStatus, Location, RequestStatus
from ..permissions import Permission, allowed
from ..services import consignments, labels, reference, scanning, stock_requests
from ..services.packing_list import packing_list_pdf
from ..tags import looks_like_tag
from . import bp, words
from .common import attachment, attempt, form_date, form_dates, needs
from .lists import page_by_cursor

JOBS = {"pack": "Pack a consignment", "receive": "Receive a delivery"}
PAGE_SIZE = 50  # rows of a consignments or deliveries list; the rest by the pager (as many as the home page counts)
SHORTFALLS_SHOWN = 20  # part-received consignments listed with what is short; more: their own filtered list


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _own_locations() -> list[Location]:
    """The places a request or consignment may name: deactivated ones receive nothing, so are not offered."""
    return reference.list_locations(current_user, active_only=True)


# --- a hub's page: its requests and the deliveries on their way -----------------------------------


@bp.route("/hub", methods=["GET"])
@needs(Permission.READ_REQUESTS)
def hub():
    requests_ = db.session.scalars(stock_requests.request_query(current_user).limit(50)).all()
    refused = None
    deliveries: list = []
    next_url = first_url = None
    try:
        deliveries, next_url, first_url = page_by_cursor(
            "web.hub", {}, lambda after: consignments.deliveries_query(current_user, after=after), None, PAGE_SIZE
        )
    except InvalidInput as bad:
        refused = bad
    return render_template(
        "hub.html",
        requests=[(r, stock_requests.progress(r)) for r in requests_],
        deliveries=deliveries,
        next_url=next_url and next_url + "#deliveries",
        first_url=first_url and first_url + "#deliveries",
        refused=refused,
        locations=_own_locations(),
        templates=reference.list_kit_templates(active_only=True),
        types=[t.value for t in AssetType],
        may_request=allowed(current_user.role, Permission.REQUEST_STOCK),
        today=today(),
    ), (refused.status if refused else 200)


@bp.route("/hub/requests", methods=["POST"])
@needs(Permission.REQUEST_STOCK)
def hub_request():
    form = form_dates(request.form)  # the needed-by date's three boxes, as one ISO date

    def ask():
        lines = []
        for kind in ("template", "type"):
            chosen, count = form.get(kind) or "", (form.get(f"{kind}_count") or "").strip()
            if chosen:
                if not count.isdigit() or not 1 <= int(count) <= 1000:
                    raise InvalidInput(
                        "Say how many, from 1 to 1000", {f"{kind}_count": ["A whole number, 1 to 1000."]}
                    )
                lines.append({kind: chosen, "count": int(count)})
        if not lines:
            raise InvalidInput("Choose a kit template or a type of item", {"template": ["Choose what you need."]})
        if "type" in lines[-1] and lines[-1]["type"] not in {t.value for t in AssetType}:
            raise InvalidInput("Choose a type from the list", {"type": ["Choose a type from the list."]})
        return stock_requests.create_request(
            location=form.get("location", ""),
            lines=lines,
            needed_by=form_date(form.get("needed_by"), "needed_by"),
            note=(form.get("note") or "").strip()[:500] or None,
            actor=current_user,
            today=today(),
        )

    made, refused = attempt(ask)
    if made is not None:
        flash(f"Request {made.id} sent for {made.location.code}.", "success")
    else:
        assert refused is not None
        flash(refused.message, "error")
    return redirect(url_for("web.hub"))


# --- admins: requests against stock -------------------------------------------------------------


@bp.route("/stock-requests", methods=["GET"])
@needs(Permission.READ_REQUESTS)
def stock_requests_page():
    status = request.args.get("status") or None
    chosen = status if status in {s.value for s in RequestStatus} else None
    rows = db.session.scalars(stock_requests.request_query(current_user, status=chosen).limit(100)).all()
    return render_template(
        "stock_requests.html",
        rows=[
            (r, [(p, stock_requests.availability(p.line, r.location_id)) for p in stock_requests.progress(r)])
            for r in rows
        ],
        statuses=[s.value for s in RequestStatus],
        chosen=chosen,
        may_decide=allowed(current_user.role, Permission.DECIDE_REQUESTS),
        may_pack=allowed(current_user.role, Permission.HANDLE_STOCK),
        warehouses=[loc for loc in _own_locations() if loc.kind.value == "warehouse"],
    )


@bp.route("/stock-requests/<id:request_id>/decide", methods=["POST"])
@needs(Permission.DECIDE_REQUESTS)
def decide_request(request_id: int):
    form = request.form

    def decide():
        if form.get("decision") == "decline":
            return stock_requests.decline(
                request_id, (form.get("reason") or "").strip()[:500] or "", current_user, now()
            )
        answers = []
        for i, value in enumerate(form.getlist("approved")):
            if not value.strip().isdigit():
                raise InvalidInput(f"Line {i + 1}: give a whole number", {"approved": [f"Line {i + 1}."]})
            answers.append({"approved": int(value)})
        return stock_requests.approve(request_id, answers or None, current_user, now())

    done, refused = attempt(decide)
    if done is not None:
        flash(f"Request {request_id} {done.status.value}.", "success")
    else:
        assert refused is not None
        flash(refused.message, "error")
    return redirect(url_for("web.stock_requests_page"))


# --- consignments ----------------------------------------------------------------------------------


@bp.route("/consignments", methods=["GET"])
@needs(Permission.HANDLE_STOCK)
def consignments_page():
    # `status` narrows the list (the warehouse's home page links to those packing); anything else: all.
    status = request.args.get("status") or None
    chosen = status if status in {s.value for s in ConsignmentStatus} else None
    refused = None
    rows: list = []
    next_url = first_url = None
    try:
        rows, next_url, first_url = page_by_cursor(
            "web.consignments_page",
            {"status": chosen},
            lambda after: consignments.consignment_query(current_user, status=chosen, after=after),
            None,
            PAGE_SIZE,
        )
    except InvalidInput as bad:
        refused = bad
    part_received = ConsignmentStatus.PART_RECEIVED.value
    shortfalls = db.session.scalars(
        consignments.consignment_query(current_user, status=part_received).limit(SHORTFALLS_SHOWN + 1)
    ).all()
    return render_template(
        "consignments.html",
        rows=rows,
        next_url=next_url and next_url + "#list",
        first_url=first_url and first_url + "#list",
        refused=refused,
        status=chosen,
        statuses=[s.value for s in ConsignmentStatus],
        shortfalls=shortfalls[:SHORTFALLS_SHOWN],
        more_shortfalls=len(shortfalls) > SHORTFALLS_SHOWN,
        locations=_own_locations(),
        request_id=request.args.get("request", ""),
        to=request.args.get("to", ""),
    ), (refused.status if refused else 200)


@bp.route("/consignments", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def new_consignment():
    form = request.form
    asked = (form.get("request") or "").strip()
    made, refused = attempt(
        lambda: consignments.create_consignment(
            to=form.get("to", ""),
            from_=form.get("from", ""),
            request_id=int(asked) if asked.isdigit() else None,
            actor=current_user,
        )
    )
    if made is None:
        assert refused is not None
        flash(refused.message, "error")
        return redirect(url_for("web.consignments_page"))
    flash(f"Consignment {made.tag} started: print its box label, then scan each item into it.", "success")
    return redirect(url_for("web.consignment_job", tag=made.tag, job="pack"))


@bp.route("/consignments/scan", methods=["GET", "POST"])
@needs(Permission.RECEIVE_CONSIGNMENT)
def consignment_box():
    """The scan station's first step for both jobs: scan the box label."""
    job = request.values.get("job", "receive")
    job = job if job in JOBS and (job != "pack" or allowed(current_user.role, Permission.HANDLE_STOCK)) else "receive"
    refused = None
    if request.method == "POST":
        found, refused = attempt(lambda: scanning.resolve(request.form.get("code", ""), current_user))
        if found is not None and found.kind == "consignment":
            return redirect(url_for("web.consignment_job", tag=found.tag, job=job))
        if found is not None:
            refused = InvalidInput(
                f"{found.tag} is a {found.type}, not a box label: scan the consignment's label first"
            )
    return render_template("consignment_box.html", job=job, jobs=JOBS, refused=refused)


def _job_allowed(job: str) -> bool:
    need = Permission.HANDLE_STOCK if job == "pack" else Permission.RECEIVE_CONSIGNMENT
    return job in JOBS and allowed(current_user.role, need)


@bp.route("/consignments/<tag>", methods=["GET"], defaults={"job": None})
@bp.route("/consignments/<tag>/<any(pack, receive):job>", methods=["GET"])
@needs(Permission.RECEIVE_CONSIGNMENT)
def consignment_job(tag: str, job: str | None):
    box = consignments.get_consignment(tag, current_user)
    if job is not None and not _job_allowed(job):
        return render_template("forbidden.html"), 403
    return _consignment_page(box, job)


def _consignment_page(box, job, *, status: int = 200):
    return render_template(
        "consignment.html",
        box=box,
        job=job,
        jobs=JOBS,
        outstanding=consignments.outstanding(box),
        may_pack=allowed(current_user.role, Permission.HANDLE_STOCK) and box.can(ConsignmentAction.PACK),
        may_receive=_job_allowed("receive") and box.can(ConsignmentAction.RECEIVE),
        may_close=_job_allowed("receive") and box.can(ConsignmentAction.CLOSE),
        rolls=labels.ROLL_CODES,
    ), status


@dataclass
class BoxScan:
    code: str
    outcome: str  # ok, unknown, mistyped, wrong_state, repeat (the scan station's sounds)
    message: str
    tag: str | None = None


def _summary(box) -> str:
    if box.status == ConsignmentStatus.PACKING:
        left = consignments.outstanding(box)
        if left is None:
            return f"{len(box.items)} item(s) packed."
        if not left:
            return f"{len(box.items)} item(s) packed: everything the request needs is here."
        return f"{len(box.items)} item(s) packed. Still to pack: " + ", ".join(
            f"{o.count} {o.template or o.type}" for o in left
        )
    short = [i for i in box.items if i.outcome is None]
    return f"{len(box.items) - len(short)} of {len(box.items)} received; {len(short)} still to come."


def _pack_one(box, code: str) -> BoxScan:
    found, refused = attempt(lambda: scanning.resolve(code, current_user))
    if found is None:
        assert refused is not None
        mistyped = isinstance(refused, InvalidInput) and looks_like_tag(scanning.tag_in_code(code))
        return BoxScan(code, "mistyped" if mistyped else "unknown", refused.message)
    if found.tag in {i.asset.tag for i in box.items} | {i.kit.tag for i in box.items if i.kit}:
        return BoxScan(code, "repeat", f"{found.tag} is already in this box", found.tag)
    _, refused = attempt(lambda: consignments.add_items(box.tag, [found.tag], current_user))
    if refused is not None:
        return BoxScan(code, "wrong_state", refused.message, found.tag)
    return BoxScan(code, "ok", f"Packed {found.tag} ({found.type})", found.tag)


def _receive_one(box, code: str, damaged: bool) -> BoxScan:
    tag = consignments.match_code(box, code)
    if tag is None:
        guess = scanning.tag_in_code(code)
        return BoxScan(code, "wrong_state", f"{guess or code} is not on this consignment: put it aside", None)
    arrived = {i.asset.tag for i in box.items if i.arrived}
    kit_items = [i.asset.tag for i in box.items if i.kit and i.kit.tag == tag]
    if tag in arrived or (kit_items and set(kit_items) <= arrived):
        return BoxScan(code, "repeat", f"{tag} has already been received", tag)
    _, refused = attempt(
        lambda: consignments.receive(
            box.tag, current_user, now(), items=[] if damaged else [tag], damaged=[tag] if damaged else []
        )
    )
    if refused is not None:
        return BoxScan(code, "wrong_state", refused.message, tag)
    where = box.to_location.code
    return BoxScan(
        code, "ok", f"Received {tag}" + (" damaged: into quarantine" if damaged else "") + f" at {where}", tag
    )


@bp.route("/consignments/<tag>/<any(pack, receive):job>", methods=["POST"])
@needs(Permission.RECEIVE_CONSIGNMENT)
def consignment_scan(tag: str, job: str):
    """One scan into the box (pack) or out of it (receive): done at once, told apart by outcome and sound."""
    if not _job_allowed(job):
        return render_template("forbidden.html"), 403
    box = consignments.get_consignment(tag, current_user)
    code = request.form.get("code", "").strip()
    if not code:
        row = BoxScan(code, "unknown", "Scan or type a code")
    elif job == "pack":
        row = _pack_one(box, code)
    else:
        row = _receive_one(box, code, damaged=request.form.get("damaged") == "yes")
    db.session.expire_all()
    box = consignments.get_consignment(tag, current_user)
    if _wants_json():
        return jsonify(
            row=asdict(row), summary=_summary(box), status=box.status.value, status_text=words.status(box.status)
        )
    flash(row.message, "success" if row.outcome == "ok" else "error")
    return redirect(url_for("web.consignment_job", tag=box.tag, job=job))


@bp.route("/consignments/<tag>/<any(dispatch, close, remove):step>", methods=["POST"])
@needs(Permission.RECEIVE_CONSIGNMENT)
def consignment_step(tag: str, step: str):
    need = Permission.RECEIVE_CONSIGNMENT if step == "close" else Permission.HANDLE_STOCK
    if not allowed(current_user.role, need):
        return render_template("forbidden.html"), 403
    calls = {
        "dispatch": lambda: consignments.dispatch(tag, current_user, now()),
        "close": lambda: consignments.close(tag, current_user, now(), short="missing"),
        "remove": lambda: consignments.remove_item(tag, request.form.get("item", ""), current_user),
    }
    done, refused = attempt(calls[step])
    if refused is not None:
        flash(refused.message, "error")
    else:
        told = {"dispatch": "dispatched: its items are in transit", "close": "closed", "remove": "updated"}
        flash(f"Consignment {tag.upper()} {told[step]}.", "success")
    return redirect(url_for("web.consignment_job", tag=tag, job="pack" if step == "remove" else None))


@bp.route("/consignments/<tag>/packing-list.pdf", methods=["GET"])
@needs(Permission.RECEIVE_CONSIGNMENT)
def consignment_packing_list(tag: str):
    box = consignments.get_consignment(tag, current_user)
    return attachment(packing_list_pdf(box), "application/pdf", f"packing-list-{box.tag}.pdf")
