"""Programmes, organisations, locations and kit templates: set up by administrators, read by all."""

from __future__ import annotations

import sqlalchemy as sa

from .. import clock
from ..errors import InvalidInput, NotFound
from ..extensions import add_or_conflict, db
from ..models import (
    DEFAULT_REMINDER_DAYS,
    Actor,
    Area,
    AssetType,
    KitTemplate,
    KitTemplateLine,
    Location,
    LocationKind,
    Organisation,
    OwnershipRule,
    Programme,
    ReferenceAction,
)
from ..visibility import organisation_visible, sees_organisation
from . import reference_history
from .agreements import add_version, default_text


def code_of(value: str) -> str:
    """Codes are matched without regard to case or stray spaces, and stored upper-case."""
    return (value or "").strip().upper()


def _add_new(thing, what: str, code: str):
    add_or_conflict(thing, f"A {what} with code {code} already exists")
    return thing


def _find(model, code: str, what: str, field: str):
    found = db.session.scalar(sa.select(model).where(model.code == code_of(code)))
    if found is None:
        raise InvalidInput(f"Unknown {what} '{code}'", {field: [f"No {what} has code '{code}'."]})
    return found


def find_programme(code: str, field: str = "programme") -> Programme:
    return _find(Programme, code, "programme", field)


def find_location(code: str, field: str = "location", what: str = "receive items") -> Location:
    """A location things are about to be sent to (or from): refused if deactivated. The shared lock makes a
    deactivation at the same moment wait, then count what this request put there."""
    found = db.session.scalar(
        sa.select(Location)
        .where(Location.code == code_of(code))
        .with_for_update(read=True, of=Location)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise InvalidInput(f"Unknown location '{code}'", {field: [f"No location has code '{code}'."]})
    found.check_receives(what)
    return found


def programme_for_new(code: str, what: str, field: str = "programme") -> Programme:
    """A programme about to take a new participant or asset: refused if deactivated."""
    programme = find_programme(code, field)
    programme.check_takes_new(what)
    return programme


def find_organisation(code: str, field: str = "organisation") -> Organisation:
    return _find(Organisation, code, "organisation", field)


# --- programmes -------------------------------------------------------------------------------


def create_programme(
    *,
    code: str,
    name: str,
    connectivity_months: int,
    ownership_rule: str,
    assessment_name: str,
    pass_mark: int,
    reminder_days: list[int] | None = None,
    loan_weeks: int | None = None,
    signature_required: bool = False,
    contact_phone: str | None = None,
) -> Programme:
    if loan_weeks is not None and ownership_rule != OwnershipRule.LOAN_ONLY:
        raise InvalidInput(
            "Only a loan_only programme has a loan length: its loans come back",
            {"loan_weeks": ["Leave it out, or make the ownership rule loan_only."]},
        )
    if loan_weeks is not None and not 1 <= loan_weeks <= Programme.MAX_LOAN_WEEKS:
        raise InvalidInput(
            f"A loan lasts 1 to {Programme.MAX_LOAN_WEEKS} weeks", {"loan_weeks": [f"1 to {Programme.MAX_LOAN_WEEKS}."]}
        )
    days = sorted(set(reminder_days if reminder_days is not None else DEFAULT_REMINDER_DAYS), reverse=True)
    programme = _add_new(
        Programme(
            code=code_of(code),
            name=name.strip(),
            connectivity_months=connectivity_months,
            ownership_rule=ownership_rule,
            assessment_name=assessment_name.strip(),
            pass_mark=pass_mark,
            reminder_days=days,
            loan_weeks=loan_weeks,
            signature_required=signature_required,
            contact_phone=(contact_phone or "").strip() or None,
        ),
        "programme",
        code_of(code),
    )
    add_version(programme, default_text(programme), None, clock.today())  # until an admin writes their own
    return programme


PROGRAMME_EDITABLE = ("name", "connectivity_months", "assessment_name", "pass_mark", "reminder_days", "contact_phone")


def update_programme(code: str, fields: dict, actor: Actor | None) -> tuple[Programme, dict]:
    """Change any of PROGRAMME_EDITABLE; answers the programme and {field: [old, new]} of what changed.
    New connectivity months apply to SIMs issued from now on; plans already running keep their end date."""
    programme = db.session.scalar(
        sa.select(Programme)
        .where(Programme.code == code_of(code))
        .with_for_update(of=Programme)
        .execution_options(populate_existing=True)
    )
    if programme is None:
        raise NotFound(f"No programme has code {code_of(code)}")
    changed = {}
    for name in PROGRAMME_EDITABLE:
        if name not in fields:
            continue
        new = fields[name]
        if name == "reminder_days":
            new = sorted(set(new if new is not None else DEFAULT_REMINDER_DAYS), reverse=True)
        elif isinstance(new, str):
            new = new.strip() or (None if name == "contact_phone" else new)
        old = getattr(programme, name)
        if new != old:
            changed[name] = [old, new]
            setattr(programme, name, new)
    db.session.flush()
    if changed:
        reference_history.record("programme", programme.code, ReferenceAction.CHANGED, actor, changed)
    return programme, changed


def list_programmes(*, active_only: bool = False) -> list[Programme]:
    """All programmes (lists and filters read history too); pickers for something new ask active_only."""
    query = sa.select(Programme).order_by(Programme.code)
    return list(db.session.scalars(query.where(Programme.active.is_(True)) if active_only else query))


def get_programme(code: str) -> Programme:
    found = db.session.scalar(sa.select(Programme).where(Programme.code == code_of(code)))
    if found is None:
        raise NotFound(f"No programme has code {code_of(code)}")
    return found


# --- organisations and locations ----------------------------------------------------------------


def create_organisation(*, code: str, name: str) -> Organisation:
    return _add_new(Organisation(code=code_of(code), name=name.strip()), "organisation", code_of(code))


def list_organisations(viewer: Actor) -> list[Organisation]:
    query = sa.select(Organisation).where(organisation_visible(Organisation.id, viewer)).order_by(Organisation.code)
    return list(db.session.scalars(query))


def get_organisation(code: str, viewer: Actor) -> Organisation:
    found = db.session.scalar(sa.select(Organisation).where(Organisation.code == code_of(code)))
    if found is None or not sees_organisation(found.id, viewer):
        raise NotFound(f"No organisation has code {code_of(code)}")
    return found


def create_location(*, code: str, name: str, kind: str, area: str, organisation: str | None = None) -> Location:
    org = find_organisation(organisation) if organisation else None
    if org is not None:
        org.check_takes_members("new locations")
    # By id, not by relationship: the organisation's list of locations stays as loaded until the add.
    return _add_new(
        Location(code=code_of(code), name=name.strip(), kind=kind, area=area, organisation_id=org.id if org else None),
        "location",
        code_of(code),
    )


def update_organisation(code: str, *, name: str, actor: Actor | None) -> tuple[Organisation, dict]:
    """Rename an organisation (its code stays: users and locations refer to it)."""
    org = db.session.scalar(
        sa.select(Organisation).where(Organisation.code == code_of(code)).with_for_update(of=Organisation)
    )
    if org is None:
        raise NotFound(f"No organisation has code {code_of(code)}")
    changed = {"name": [org.name, name.strip()]} if name.strip() != org.name else {}
    org.name = name.strip()
    db.session.flush()
    if changed:
        reference_history.record("organisation", org.code, ReferenceAction.CHANGED, actor, changed)
    return org, changed


LOCATION_EDITABLE = ("name", "kind", "area", "organisation")


def update_location(code: str, fields: dict, actor: Actor | None) -> tuple[Location, dict]:
    """Change a location's name, kind, area or organisation (its code stays: labels and history name it).
    Giving a hub to another organisation moves what its partners see with it."""
    location = db.session.scalar(sa.select(Location).where(Location.code == code_of(code)).with_for_update(of=Location))
    if location is None:
        raise NotFound(f"No location has code {code_of(code)}")
    changed = {}
    for name in LOCATION_EDITABLE:
        if name not in fields:
            continue
        if name == "organisation":
            org = find_organisation(fields[name]) if fields[name] else None
            old_code = location.organisation.code if location.organisation else None
            if (org.code if org else None) != old_code:
                if org is not None and location.active:
                    org.check_takes_members("new locations")
                changed[name] = [old_code, org.code if org else None]
                location.organisation_id = org.id if org else None
            continue
        new = fields[name].strip() if name == "name" else fields[name]
        old = getattr(location, name)
        if str(getattr(old, "value", old)) != str(new):
            changed[name] = [getattr(old, "value", old), new]
            setattr(location, name, LocationKind(new) if name == "kind" else Area(new) if name == "area" else new)
    db.session.flush()
    if changed:
        reference_history.record("location", location.code, ReferenceAction.CHANGED, actor, changed)
    return location, changed


def visible_locations(viewer: Actor):
    """A select of the locations the viewer may see."""
    return sa.select(Location).where(organisation_visible(Location.organisation_id, viewer))


def list_locations(viewer: Actor, *, active_only: bool = False) -> list[Location]:
    """The locations the viewer sees; pickers of where things go ask active_only (deactivated ones take
    nothing new, but their history and counts stay readable)."""
    query = visible_locations(viewer).order_by(Location.code)
    return list(db.session.scalars(query.where(Location.active.is_(True)) if active_only else query))


def get_location(code: str, viewer: Actor) -> Location:
    found = db.session.scalar(visible_locations(viewer).where(Location.code == code_of(code)))
    if found is None:
        raise NotFound(f"No location has code {code_of(code)}")
    return found


# --- kit templates ------------------------------------------------------------------------------


def _template_contents(contents: list[dict]) -> dict[AssetType, int]:
    seen: dict[AssetType, int] = {}
    for i, line in enumerate(contents):
        kind = AssetType(line["type"])
        if kind in seen:
            raise InvalidInput(
                "A template lists each type once", {"contents": {i: {"type": [f"{kind.value} is listed twice."]}}}
            )
        seen[kind] = line["count"]
    if not seen:
        raise InvalidInput("A template needs at least one line", {"contents": ["Give at least one type and count."]})
    return seen


def create_kit_template(*, code: str, name: str, programme: str, contents: list[dict]) -> KitTemplate:
    prog = programme_for_new(programme, "new kit templates")
    lines = [KitTemplateLine(type=kind, count=n) for kind, n in _template_contents(contents).items()]
    return _add_new(
        KitTemplate(code=code_of(code), name=name.strip(), programme=prog, lines=lines), "kit template", code_of(code)
    )


def update_kit_template(code: str, fields: dict, actor: Actor) -> tuple[KitTemplate, dict]:
    """Change a template's name or contents (types and counts); answers it and {field: [old, new]}.
    Kits already built keep the items they were built with: a template says what the next kit needs."""
    template = db.session.scalar(
        sa.select(KitTemplate)
        .where(KitTemplate.code == code_of(code))
        .with_for_update(of=KitTemplate)
        .execution_options(populate_existing=True)
    )
    if template is None:
        raise NotFound(f"No kit template has code {code_of(code)}")
    changed: dict = {}
    if "name" in fields and fields["name"].strip() != template.name:
        changed["name"] = [template.name, fields["name"].strip()]
        template.name = fields["name"].strip()
    if "contents" in fields:
        new = _template_contents(fields["contents"])
        old = template.contents()
        if new != old:
            changed["contents"] = [
                {t.value: n for t, n in old.items()},
                {t.value: n for t, n in new.items()},
            ]
            by_type = {line.type: line for line in template.lines}
            for kind, line in by_type.items():
                if kind not in new:
                    template.lines.remove(line)
            for kind, n in new.items():
                if kind in by_type:
                    by_type[kind].count = n
                else:
                    template.lines.append(KitTemplateLine(type=kind, count=n))
    db.session.flush()
    if changed:
        reference_history.record("kit-template", template.code, ReferenceAction.CHANGED, actor, changed)
    return template, changed


def list_kit_templates(*, active_only: bool = False) -> list[KitTemplate]:
    query = sa.select(KitTemplate).order_by(KitTemplate.code)
    if active_only:
        query = query.join(KitTemplate.programme).where(KitTemplate.active.is_(True), Programme.active.is_(True))
    return list(db.session.scalars(query))


def get_kit_template(code: str) -> KitTemplate:
    found = db.session.scalar(sa.select(KitTemplate).where(KitTemplate.code == code_of(code)))
    if found is None:
        raise NotFound(f"No kit template has code {code_of(code)}")
    return found
