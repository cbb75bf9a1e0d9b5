"""Printing labels: which assets and kits, what each label says, and when it was last printed."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from labels import rolls, sheets, single, zpl
from labels.content import LabelContent
from labels.layout import LabelTooSmall
from labels.sheets import SheetError, render, template

from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..models import Actor, Asset, Consignment, Kit, Location, utcnow
from ..permissions import sees_everything
from ..visibility import sees_organisation
from .assets import checked_tag
from .reference import code_of

MAX_LABELS = 5000
# A PDF sheet of more labels than this is made by the scheduler process (a background job), not in the
# request: 1,000 labels take about half a second, 5,000 several seconds, and no request may hold a web
# worker for more than 5 s.
IN_REQUEST_LABELS = 1000
SHEET_JOB = "label_sheet"


def _content(thing, base_url: str) -> LabelContent:
    if isinstance(thing, Consignment):
        return LabelContent.for_consignment(
            base_url, thing.tag, thing.from_location.code, thing.to_location.code, len(thing.items)
        )
    if isinstance(thing, Kit):
        return LabelContent.for_kit(
            base_url, thing.tag, [a.tag for a in thing.items], thing.template.code if thing.template else None
        )
    return LabelContent.for_asset(base_url, thing.tag, thing.type.value, thing.model)


def _things_by_tag(tags: list[str]) -> list:
    wanted = [checked_tag(t, "tags") for t in tags]
    assets = {a.tag: a for a in db.session.scalars(sa.select(Asset).where(Asset.tag.in_(wanted)))}
    kits = {k.tag: k for k in db.session.scalars(sa.select(Kit).where(Kit.tag.in_(wanted)))}
    boxes = {c.tag: c for c in db.session.scalars(sa.select(Consignment).where(Consignment.tag.in_(wanted)))}
    missing = [t for t in wanted if t not in assets and t not in kits and t not in boxes]
    if missing:
        raise NotFound(f"No asset or kit has tag {', '.join(missing)} (nor any consignment)")
    return [assets.get(t) or kits.get(t) or boxes[t] for t in wanted]


def _seen_by(thing, viewer: Actor) -> bool:
    """Partners print labels for what is at their hubs, and for boxes coming to or leaving them."""
    if sees_everything(viewer.role):
        return True
    if isinstance(thing, Consignment):
        places = (thing.to_location, thing.from_location)
        return any(sees_organisation(p.organisation_id, viewer) for p in places)
    return thing.location is not None and sees_organisation(thing.location.organisation_id, viewer)


def select(
    *, tags: list[str] | None = None, batch: str | None = None, location: str | None = None, unprinted: bool = False
) -> list:
    """What to print: the given tags in their order; an import batch; or everything at a location
    (of a batch or a location, only what has never had a label, with `unprinted`: a reprint after a jam)."""
    if tags:
        things = _things_by_tag(tags)
    elif batch:
        query = sa.select(Asset).where(Asset.batch == batch.strip()).order_by(Asset.id)
        if not db.session.scalar(sa.select(sa.exists(query))):
            raise NotFound(f"No import batch {batch}")
        if unprinted:
            query = query.where(Asset.label_printed_at.is_(None))
        things = list(db.session.scalars(query))
    elif location:
        loc = db.session.scalar(sa.select(Location).where(Location.code == code_of(location)))
        if loc is None:
            raise InvalidInput(f"Unknown location '{location}'", {"location": [f"No location has code '{location}'."]})
        query = sa.select(Asset).where(Asset.location_id == loc.id).order_by(Asset.id)
        if unprinted:
            query = query.where(Asset.label_printed_at.is_(None))
        things = list(db.session.scalars(query))
    else:
        raise InvalidInput(
            "Say what to print: tags, a batch, or a location", {"tags": ["Give tags, a batch or a location."]}
        )
    if not things:
        raise InvalidInput(
            "There is nothing to print: every asset there already has a label",
            {"location": ["Nothing without a label."]},
        )
    if len(things) > MAX_LABELS:
        raise InvalidInput(
            f"At most {MAX_LABELS} labels at a time; this is {len(things)}", {"tags": [f"At most {MAX_LABELS}."]}
        )
    return things


def _printed(things: list) -> None:
    now = utcnow()
    for thing in things:
        thing.label_printed_at = now
    db.session.flush()


def sheet_pdf(
    things: list,
    *,
    base_url: str,
    template_code: str,
    start_position: int = 1,
    offsets: dict | None = None,
    progress: Callable[[int], None] | None = None,
    mark_printed: bool = True,
) -> bytes:
    try:
        sheet = template(template_code)
        pdf = render(
            [_content(t, base_url) for t in things],
            sheet,
            start_position=start_position,
            offset=(offsets or {}).get(sheet.code, (0.0, 0.0)),
            progress=progress,
        )
    except SheetError as exc:
        field = "template" if "template" in str(exc) else "start_position"
        raise InvalidInput(str(exc).capitalize(), {field: [str(exc).capitalize() + "."]}) from None
    except LabelTooSmall as exc:
        raise InvalidInput(str(exc).capitalize(), {"template": [str(exc).capitalize() + "."]}) from None
    if mark_printed:
        _printed(things)
    return pdf


def one_label(
    tag: str,
    fmt: str,
    *,
    base_url: str,
    zpl_size: tuple[float, float],
    zpl_dpi: int,
    viewer: Actor | None = None,
    roll: str | None = None,
) -> bytes | str:
    """One label to download (a GET, so it changes nothing: fetching a picture is not printing); as a
    PDF, one label on a page the size of a hub printer's roll (labels.rolls)."""
    thing = _things_by_tag([tag])[0]
    if viewer is not None and not _seen_by(thing, viewer):
        raise NotFound(f"{checked_tag(tag)} is not at your hubs")
    content = _content(thing, base_url)
    out: bytes | str
    if fmt == "pdf":
        try:
            paper = rolls.roll(roll or DEFAULT_ROLL)
        except rolls.RollError as exc:
            raise InvalidInput(str(exc).capitalize(), {"printer": [str(exc).capitalize() + "."]}) from None
        out = rolls.render(content, paper)
    elif fmt == "png":
        out = single.png(content)
    elif fmt == "svg":
        out = single.svg(content)
    else:
        out = zpl.render([content], width_mm=zpl_size[0], height_mm=zpl_size[1], dpi=zpl_dpi)
    return out


def zpl_batch(things: list, *, base_url: str, zpl_size: tuple[float, float], zpl_dpi: int) -> str:
    out = zpl.render([_content(t, base_url) for t in things], width_mm=zpl_size[0], height_mm=zpl_size[1], dpi=zpl_dpi)
    _printed(things)
    return out


TEMPLATE_CODES = tuple(sheets.TEMPLATES)  # the sheet geometry table is the one list
ROLL_CODES = tuple(rolls.ROLLS)
DEFAULT_ROLL = ROLL_CODES[0]
DEFAULT_TEMPLATE = TEMPLATE_CODES[0]
MEDIA_TYPES = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml", "zpl": "application/zpl"}


def in_background(things: list) -> bool:
    """Is this printout (a PDF sheet or a ZPL job) a background job rather than an answer to the request?"""
    return len(things) > IN_REQUEST_LABELS


def start_sheet_job(
    things: list, *, fmt: str = "pdf", template_code: str, start_position: int, requested_by: Actor | None
):
    """Queue a sheet (or ZPL job) of `things` (checked first: a bad template or position is refused now, not later)."""
    from . import background_jobs

    try:
        sheet = template(template_code)
        if not 1 <= start_position <= sheet.per_sheet:
            raise SheetError(
                f"start position {start_position} is off the sheet: {sheet.code} has positions 1 to {sheet.per_sheet}"
            )
    except SheetError as exc:
        field = "template" if "template" in str(exc) else "start_position"
        raise InvalidInput(str(exc).capitalize(), {field: [str(exc).capitalize() + "."]}) from None
    arguments = {
        "tags": [t.tag for t in things],
        "format": fmt,
        "template": sheet.code,
        "start_position": start_position,
    }
    return background_jobs.start(SHEET_JOB, arguments, requested_by, total=len(things))


def run_sheet_job(arguments: dict, requester, progress: Callable[[int, int], None]):
    """The background job: the sheet for the tags as they were chosen; labels marked printed once it is kept."""
    from flask import current_app

    from .background_jobs import JobResult

    config = current_app.config
    tags = arguments["tags"]
    progress(0, len(tags))
    things = _things_by_tag(tags)
    mark = lambda: _printed(_things_by_tag(tags))  # noqa: E731
    if arguments.get("format") == "zpl":
        body = zpl.render(
            [_content(t, config["PUBLIC_BASE_URL"]) for t in things],
            width_mm=config["ZPL_LABEL_SIZE"][0],
            height_mm=config["ZPL_LABEL_SIZE"][1],
            dpi=config["ZPL_DPI"],
        )
        progress(len(things), len(things))
        return JobResult(body.encode(), f"labels-{len(things)}.zpl", MEDIA_TYPES["zpl"], apply=mark)
    pdf = sheet_pdf(
        things,
        base_url=config["PUBLIC_BASE_URL"],
        template_code=arguments["template"],
        start_position=arguments["start_position"],
        offsets=config["LABEL_OFFSETS"],
        progress=lambda done: progress(done, len(things)),
        mark_printed=False,
    )
    return JobResult(pdf, f"labels-{arguments['template']}-{len(things)}.pdf", MEDIA_TYPES["pdf"], apply=mark)


def printout(
    things: list, *, fmt: str, template_code: str, start_position: int, config
) -> tuple[bytes | str, str, str]:
    """A sheet (PDF) or a ZPL job for the things, as (body, media type, file name): what the API and the
    pages hand to the browser."""
    if fmt == "zpl":
        body = zpl_batch(
            things, base_url=config["PUBLIC_BASE_URL"], zpl_size=config["ZPL_LABEL_SIZE"], zpl_dpi=config["ZPL_DPI"]
        )
        return body, MEDIA_TYPES["zpl"], "labels.zpl"
    pdf = sheet_pdf(
        things,
        base_url=config["PUBLIC_BASE_URL"],
        template_code=template_code,
        start_position=start_position,
        offsets=config["LABEL_OFFSETS"],
    )
    return pdf, MEDIA_TYPES["pdf"], f"labels-{template_code}-{len(things)}.pdf"
