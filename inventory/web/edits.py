"""Correcting records from their pages: an asset's details (the warehouse and admins) and a programme's
settings (admins), each checked by the API's own schema and stored by the same service as the API's PATCH."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import Area, Condition, LocationKind
from ..permissions import Permission
from ..schemas.assets import AssetUpdateArgs
from ..schemas.reference import LocationUpdateArgs, OrganisationUpdateArgs, ProgrammeUpdateArgs
from ..services import asset_details, reference
from ..services import assets as asset_service
from . import bp
from .common import attempt, field_errors, load_form, needs


def _organisation_code(thing) -> str:
    organisation = getattr(thing, "organisation", None)
    return organisation.code if organisation is not None else ""


def _emptied(form, names) -> dict:
    """Inputs the person cleared: stored as nothing (a form sends every field, empty or not)."""
    return {name: None for name in names if name in form and not form.get(name, "").strip()}


@bp.route("/a/<tag>/edit", methods=["GET", "POST"])
@needs(Permission.HANDLE_STOCK)
def asset_edit(tag: str):
    asset = asset_service.get_asset(tag, current_user)
    errors: dict[str, str] = {}
    refused = None
    if request.method == "POST":
        values, errors = load_form(AssetUpdateArgs(), request.form)
        if not errors:
            values |= _emptied(request.form, ("serial", "condition", "programme"))
            done, refused = attempt(lambda: asset_details.update_details(asset.tag, values, current_user))
            if done is not None:
                flash(f"The details of {done.tag} are saved.", "success")
                return redirect(url_for("web.asset_page", code=done.tag))
            errors = field_errors(refused)
    form = (
        request.form
        if request.method == "POST"
        else {
            "make": asset.make,
            "model": asset.model,
            "serial": asset.serial or "",
            "condition": asset.condition.value if asset.condition else "",
            "programme": asset.programme.code if asset.programme else "",
        }
    )
    return render_template(
        "asset_edit.html",
        asset=asset,
        form=form,
        errors=errors,
        refused=refused,
        conditions=[(c.value, c.value) for c in Condition],
        # Active programmes, and the asset's own even if deactivated (so saving other fields keeps it).
        programmes=[
            (p.code, f"{p.name} ({p.code})")
            for p in reference.list_programmes()
            if p.active or p.id == asset.programme_id
        ],
    ), (422 if errors else refused.status if refused else 200)


@bp.route("/admin/programmes/<code>/edit", methods=["GET", "POST"])
@needs(Permission.WRITE_REFERENCE)
def programme_edit(code: str):
    programme = reference.get_programme(code)
    errors: dict[str, str] = {}
    refused = None
    if request.method == "POST":
        values, errors = load_form(ProgrammeUpdateArgs(), request.form)
        if not errors:
            values |= _emptied(request.form, ("contact_phone",))
            result, refused = attempt(lambda: reference.update_programme(programme.code, values, current_user))
            if result is not None:
                changed = result[1]
                flash(f"Programme {programme.code} is saved." if changed else "Nothing was changed.", "success")
                return redirect(url_for("web.admin"))
            errors = field_errors(refused)
    form = (
        request.form
        if request.method == "POST"
        else {
            "name": programme.name,
            "connectivity_months": str(programme.connectivity_months),
            "assessment_name": programme.assessment_name,
            "pass_mark": str(programme.pass_mark),
            "reminder_days": ", ".join(str(d) for d in programme.reminder_days),
            "contact_phone": programme.contact_phone or "",
        }
    )
    return render_template("programme_edit.html", programme=programme, form=form, errors=errors, refused=refused), (
        422 if errors else refused.status if refused else 200
    )


@bp.route("/admin/<any(organisation, location):which>s/<code>/edit", methods=["GET", "POST"])
@needs(Permission.WRITE_REFERENCE)
def reference_edit(which: str, code: str):
    """Rename an organisation; change a location's name, kind, area or organisation. Codes stay."""
    thing = (
        reference.get_organisation(code, current_user)
        if which == "organisation"
        else reference.get_location(code, current_user)
    )
    errors: dict[str, str] = {}
    refused = None
    if request.method == "POST":
        schema = OrganisationUpdateArgs() if which == "organisation" else LocationUpdateArgs()
        values, errors = load_form(schema, request.form)
        if not errors:
            if which == "location":
                values |= _emptied(request.form, ("organisation",))
            result, refused = attempt(
                lambda: (
                    reference.update_organisation(thing.code, name=values["name"], actor=current_user)
                    if which == "organisation"
                    else reference.update_location(thing.code, values, current_user)
                )
            )
            if result is not None:
                flash(f"{which.capitalize()} {thing.code} is saved.", "success")
                return redirect(url_for("web.admin"))
            errors = field_errors(refused)
    form = (
        request.form
        if request.method == "POST"
        else {
            "name": thing.name,
            "kind": getattr(getattr(thing, "kind", None), "value", ""),
            "area": getattr(getattr(thing, "area", None), "value", ""),
            "organisation": _organisation_code(thing),
        }
    )
    return render_template(
        "reference_edit.html",
        which=which,
        thing=thing,
        form=form,
        errors=errors,
        refused=refused,
        kinds=[(k.value, k.value.replace("_", " ").capitalize()) for k in LocationKind],
        areas=[(a.value, a.value) for a in Area],
        organisations=[(o.code, f"{o.name} ({o.code})") for o in reference.list_organisations(current_user)],
    ), (422 if errors else refused.status if refused else 200)
