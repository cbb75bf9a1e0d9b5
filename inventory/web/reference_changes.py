"""Admin pages that change reference data beyond its fields: editing a kit template's contents, and
deactivating or reactivating programmes, organisations, locations and kit templates (with a confirmation
that says what it stops). Each calls the same service as the API. And the trail of every such change."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import tokens as auth_tokens
from ..errors import InvalidInput
from ..models import AssetType
from ..permissions import Permission
from ..schemas.reference import KitTemplateUpdateArgs
from ..services import activation, reference, reference_history
from . import bp, words
from .common import attempt, field_errors, load_form, needs
from .lists import page_by_cursor

MAX_COUNT = 20  # the template line's CHECK
# How many of each type: a SIM is a card here (words.label says "SIM number", the field's name).
PLURALS = {AssetType.SIM: "SIM cards", AssetType.ACCESSORY: "Accessories"}


def _count_field(kind: AssetType) -> str:
    return f"count-{kind.value}"


def _plural(kind: AssetType) -> str:
    return PLURALS.get(kind, f"{words.label(kind)}s")


def _contents_from(form) -> tuple[list[dict], dict[str, str]]:
    """A count box per type (empty or 0: not in the kit) as the API's list of {type, count}."""
    contents, errors = [], {}
    for kind in AssetType:
        text = (form.get(_count_field(kind)) or "").strip()
        if not text or text == "0":
            continue
        if not text.isdigit() or not 0 <= int(text) <= MAX_COUNT:
            errors[_count_field(kind)] = f"{_plural(kind)}: give a whole number from 0 to {MAX_COUNT}."
            continue
        contents.append({"type": kind.value, "count": int(text)})
    if not contents and not errors:
        errors[_count_field(AssetType.TABLET)] = "A kit needs at least one item: give a count for at least one type."
    return contents, errors


@bp.route("/admin/kit-templates/<code>/edit", methods=["GET", "POST"])
@needs(Permission.WRITE_REFERENCE)
def kit_template_edit(code: str):
    template = reference.get_kit_template(code)
    errors: dict[str, str] = {}
    refused = None
    if request.method == "POST":
        contents, errors = _contents_from(request.form)
        values, name_errors = load_form(KitTemplateUpdateArgs(), {"name": request.form.get("name", "")})
        errors |= name_errors
        if not errors:
            values["contents"] = contents
            result, refused = attempt(lambda: reference.update_kit_template(template.code, values, current_user))
            if result is not None:
                flash(
                    f"Kit template {template.code} is saved. Kits already built are not changed."
                    if result[1]
                    else "Nothing was changed.",
                    "success",
                )
                return redirect(url_for("web.admin"))
            errors = field_errors(refused)
    form = (
        request.form
        if request.method == "POST"
        else {"name": template.name} | {_count_field(t): str(n) for t, n in template.contents().items()}
    )
    return render_template(
        "kit_template_edit.html",
        template=template,
        form=form,
        errors=errors,
        refused=refused,
        kinds=[(_count_field(k), _plural(k)) for k in AssetType],
    ), (422 if errors else refused.status if refused else 200)


def _find(kind: str, code: str):
    if kind == "programme":
        return reference.get_programme(code)
    if kind == "organisation":
        return reference.get_organisation(code, current_user)
    if kind == "location":
        return reference.get_location(code, current_user)
    return reference.get_kit_template(code)


@bp.route(
    '/admin/<any(programme, organisation, location, "kit-template"):kind>s/<code>/<any(deactivate, reactivate):verb>',
    methods=["GET", "POST"],
)
@needs(Permission.WRITE_REFERENCE)
def reference_activation(kind: str, code: str, verb: str):
    """Asks first, saying what deactivating stops (and, for a location, what it still holds); then does it."""
    found, refused = attempt(lambda: _find(kind, code))
    if found is None:
        abort(404)
    thing = found
    if request.method == "POST":
        done, refused = attempt(lambda: activation.set_active(kind, found.code, verb == "reactivate", current_user))
        if done is not None:
            what = f"{kind.replace('-', ' ').capitalize()} {done.thing.code}"
            now = "in use" if verb == "reactivate" else "deactivated"
            said = f"{what} is {now} now." if done.changed else f"{what} was already {now}: nothing changed."
            if done.users_deactivated:
                auth_tokens.clear()  # this worker forgets their tokens at once (the others within a second)
                said += f" {len(done.users_deactivated)} partner user(s) of it are deactivated and signed out."
            flash(said, "success")
            return redirect(url_for("web.admin"))
        thing = _find(kind, code)  # afresh: the refusal rolled the session back
    held = activation.location_holdings(thing) if kind == "location" and verb == "deactivate" else {}
    held_said = activation.describe_holdings(held)
    return render_template(
        "reference_activation.html",
        kind=kind,
        what=kind.replace("-", " "),
        thing=thing,
        verb=verb,
        held=held_said,
        consequence=activation.CONSEQUENCES[kind],
        refused=refused,
    ), (refused.status if refused else 200)


CHANGES_PAGE = 50


@bp.route("/admin/reference-changes", endpoint="reference_changes")
@needs(Permission.WRITE_REFERENCE)
def reference_changes_page():
    """Who edited, deactivated or reactivated which reference record, when, and what changed: newest first."""
    args = {
        name: (request.args.get(name) or "").strip()
        for name in ("kind", "code")
        if (request.args.get(name) or "").strip()
    }
    rows: list = []
    next_url = first_url = None
    refused = None
    try:
        rows, next_url, first_url = page_by_cursor(
            "web.reference_changes",
            args,
            lambda after: reference_history.change_query(after=after, **args),
            reference_history.change_key,
            CHANGES_PAGE,
        )
    except InvalidInput as bad:
        refused = bad
    return render_template(
        "admin_reference_changes.html",
        rows=rows,
        next_url=next_url,
        first_url=first_url,
        filters=args,
        kinds=[(k, k.replace("-", " ").capitalize()) for k in reference_history.KINDS],
        refused=refused,
        errors=field_errors(refused),
    ), (refused.status if refused else 200)
