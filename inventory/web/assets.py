"""The page a label opens (/a/TAG): an asset's or kit's details, state and history, and the actions this
user's role allows on it now, each a small form calling the same service as the API."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..clock import today
from ..errors import Conflict, DomainError
from ..models import Condition, RetireReason
from ..permissions import PARTNER_ASSET_FIELDS, Permission, allowed, sees_everything
from ..services import assets as asset_service
from ..services import kits as kit_service
from ..services import labels, lifecycle, reference, returns, scanning
from . import bp, words
from . import found as found_page
from .common import attachment, attempt, needs

DETAIL_FIELDS = (
    "type",
    "make",
    "model",
    "serial",
    "imei",
    "iccid",
    "network",
    "condition",
    "status",
    "location",
    "programme",
    "wipe_certificate",
)
# The forms the asset page can offer, by the scan action that allows each.
ASSET_FORMS = ("move", "quarantine", "restock", "repair", "retire", "return")
# What cannot be undone asks first: the form comes back as a page that says what will happen, and only
# its "Yes" (confirmed=yes) acts.
DONE = {
    "move": "moved",
    "quarantine": "put in quarantine",
    "restock": "back in stock",
    "repair": "sent for repair",
    "retire": "retired",
    "return": "taken back from loan",
}
CONFIRM_FIRST = {
    "retire": "Retiring takes it out of use for good: it cannot be issued, moved or restocked again.",
    "dismantle": "Its items go back into stock one by one; the kit's tag is never used again.",
}


@bp.route("/a/<code>")
@bp.route("/A/<code>")  # label QR codes hold the URL in capitals: a smaller code (labels.payload)
def asset_page(code: str, *, refused: DomainError | None = None, status: int = 200):
    """What a phone camera opens from a label: details, state, history, and what this user may do.
    Someone signed out (whoever found a lost item) gets the found-device page instead."""
    if not current_user.is_authenticated:
        return found_page.found_page(code)
    viewer = current_user
    try:
        found = scanning.resolve(code, viewer)
    except DomainError as not_found:
        return render_template("not_found.html", code=code, message=not_found.message), not_found.status
    can_see_history = allowed(viewer.role, Permission.READ_HISTORY)
    # Replacement labels: staff for anything, partners for what is at their hubs (hub printers' rolls too).
    may_print = allowed(viewer.role, Permission.PRINT_LABELS) and found.location is not None
    if found.kind == "consignment":  # a box label: its own page
        return redirect(url_for("web.consignment_job", tag=found.tag))
    locations = reference.list_locations(viewer, active_only=True) if found.actions else []
    if found.kind == "kit":
        kit = kit_service.get_kit(found.tag, viewer)
        history = kit_service.kit_history(found.tag) if can_see_history else []
        return render_template(
            "kit.html",
            kit=kit,
            scan=found,
            history=history,
            locations=locations,
            refused=refused,
            labels_allowed=may_print,
            rolls=labels.ROLL_CODES,
        ), status
    asset = asset_service.get_asset(found.tag, viewer)
    fields = [f for f in DETAIL_FIELDS if sees_everything(viewer.role) or f in PARTNER_ASSET_FIELDS]
    history = asset_service.history(found.tag) if can_see_history else []
    return render_template(
        "asset.html",
        asset=asset,
        scan=found,
        details=_details(asset, fields),
        history=history,
        forms=[a for a in ASSET_FORMS if a in found.actions],
        locations=locations,
        refused=refused,
        conditions=[c.value for c in Condition],
        reasons=[r.value for r in RetireReason],
        labels_allowed=may_print,
        rolls=labels.ROLL_CODES,
    ), status


def _details(asset, fields) -> list[tuple[str, str]]:
    """Each field's name and value in words: IMEI, In stock, "Bootle hub (HUB-C)"."""

    def shown(name: str):
        if name in ("location", "programme"):
            related = getattr(asset, name)
            return f"{related.name} ({related.code})" if related is not None else None
        value = getattr(asset, name)
        if name == "status":
            return words.status(value)
        if name == "type":
            return words.label(value)
        return getattr(value, "value", value)

    return [(words.label(name), shown(name) or "—") for name in fields]


def _confirm_first(action: str, tag: str, endpoint: str):
    """The page that asks before an action that cannot be undone, or None once it was confirmed."""
    if action not in CONFIRM_FIRST or request.form.get("confirmed") == "yes":
        return None
    if action == "retire" and not request.form.get("reason"):
        return None  # the service names what is missing; there is nothing to confirm yet
    kept = {k: v for k, v in request.form.items() if k not in ("csrf_token", "confirmed")}
    return render_template(
        "confirm_action.html",
        tag=tag,
        action=action,
        consequence=CONFIRM_FIRST[action],
        kept=kept,
        reason=words.label(kept.get("reason")) if kept.get("reason") else None,
        target=url_for(endpoint, tag=tag, action=action),
    )


def _form_value(name: str) -> str | None:
    return (request.form.get(name) or "").strip() or None


@bp.route("/a/<tag>/<any(move, quarantine, restock, repair, retire, return):action>", methods=["POST"])
@login_required
def asset_action(tag: str, action: str):
    """One change to one asset from its page; the scan's action list decides who may do what."""
    found, refused = attempt(lambda: scanning.resolve(tag, current_user))
    if found is None or found.kind != "asset" or action not in found.actions:  # refused, or not now
        refused = refused or Conflict(f"{tag.upper()} cannot take '{action}' now, or your role does not allow it")
        return asset_page(tag, refused=refused, status=refused.status)
    asked = _confirm_first(action, found.tag, "web.asset_action")
    if asked is not None:
        return asked
    form, note = request.form, _form_value("note")
    calls = {
        "move": lambda: lifecycle.move(found.tag, _form_value("location") or "", current_user, note),
        "quarantine": lambda: lifecycle.quarantine(
            found.tag, current_user, location=_form_value("location"), note=note
        ),
        "repair": lambda: lifecycle.repair(found.tag, current_user, location=_form_value("location"), note=note),
        "restock": lambda: lifecycle.restock(
            found.tag,
            current_user,
            location=_form_value("location"),
            wipe_certificate=_form_value("wipe_certificate"),
            condition=_form_value("condition"),
            note=note,
        ),
        "retire": lambda: lifecycle.retire(found.tag, current_user, reason=form.get("reason", ""), note=note),
        "return": lambda: returns.return_asset(
            found.tag, current_user, location=_form_value("location") or "", today=today(), note=note
        ),
    }
    _, refused = attempt(calls[action])
    if refused:
        return asset_page(found.tag, refused=refused, status=refused.status)
    flash(f"{found.tag}: {DONE[action]}.", "success")
    return redirect(url_for("web.asset_page", code=found.tag))


@bp.route("/a/<tag>/kit/<any(move, dismantle):action>", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def kit_action(tag: str, action: str):
    asked = _confirm_first(action, tag.upper(), "web.kit_action")
    if asked is not None:
        return asked
    note = _form_value("note")
    if action == "move":
        _, refused = attempt(lambda: kit_service.move_kit(tag, _form_value("location") or "", current_user, note=note))
    else:
        _, refused = attempt(lambda: kit_service.dismantle_kit(tag, current_user, note=note))
    if refused:
        return asset_page(tag, refused=refused, status=refused.status)
    flash(
        f"Kit {tag.upper()}: {'moved' if action == 'move' else 'taken apart; its items are back in stock'}.", "success"
    )
    return redirect(url_for("web.asset_page", code=tag.upper()))


@bp.route("/a/<tag>/label.<any(png, svg, zpl, pdf):fmt>")
@needs(Permission.PRINT_LABELS)
def one_label(tag: str, fmt: str):
    """A replacement label for one asset, kit or box (a picture to print, a job for the label printer, or
    a one-label PDF for a hub's roll printer); partners for what is at their hubs."""
    config = current_app.config
    body, refused = attempt(
        lambda: labels.one_label(
            tag,
            fmt,
            base_url=config["PUBLIC_BASE_URL"],
            zpl_size=config["ZPL_LABEL_SIZE"],
            zpl_dpi=config["ZPL_DPI"],
            viewer=current_user,
            roll=request.args.get("printer") or None,
        )
    )
    if refused:
        return render_template("not_found.html", code=tag, message=refused.message), refused.status
    assert body is not None  # not refused
    return attachment(body, labels.MEDIA_TYPES[fmt], f"{tag.upper()}.{fmt}")
