"""Stock requests: a partner asks for kit for one of their hubs; an admin approves in full or in part,
or declines with a reason; what was sent and received against each line is read off its consignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import (
    AVAILABLE,
    HELD,
    Actor,
    Asset,
    AssetType,
    Consignment,
    ConsignmentItem,
    ConsignmentStatus,
    Kit,
    KitStatus,
    KitTemplate,
    Location,
    LocationKind,
    RequestAction,
    RequestStatus,
    Role,
    StockRequest,
    StockRequestLine,
)
from ..visibility import organisation_visible
from .reference import code_of, find_location

MAX_LINES = 20
NO_REQUEST = "No stock request with this id"  # another organisation's answers the same


def _own_hub(location: Location, actor: Actor, field: str = "location") -> None:
    if actor.role == Role.PARTNER and location.organisation_id != actor.organisation_id:
        raise Forbidden(
            f"{location.code} is not one of your hubs: partners ask for stock for their own hubs",
            {field: ["Choose one of your own hubs."]},
        )


def create_request(
    *, location: str, lines: list[dict], needed_by: date | None, note: str | None, actor: Actor, today: date
) -> StockRequest:
    place = find_location(location, what="ask for stock")
    _own_hub(place, actor)
    if needed_by is not None and needed_by < today:
        raise InvalidInput(
            f"The needed-by date {needed_by.isoformat()} has passed", {"needed_by": ["Give today or a later date."]}
        )
    request = StockRequest(location=place, status=RequestStatus.REQUESTED, needed_by=needed_by, note=note)
    request.requested_by_id = actor.id
    errors: dict[int, dict[str, list[str]]] = {}
    seen: set[str] = set()
    for i, raw in enumerate(lines):
        template, kind = raw.get("template"), raw.get("type")
        line = StockRequestLine(count=raw["count"])
        if template:
            found = db.session.scalar(sa.select(KitTemplate).where(KitTemplate.code == code_of(template)))
            if found is None:
                errors[i] = {"template": [f"No kit template has code '{template}'."]}
                continue
            found.check_builds()
            line.template = found
        else:
            line.type = AssetType(str(kind))
        if line.wanted in seen:
            errors[i] = {"template" if template else "type": [f"{line.wanted} is asked for twice: give one line."]}
            continue
        seen.add(line.wanted)
        request.lines.append(line)
    if errors:
        first = min(errors)
        raise InvalidInput(
            f"Line {first + 1} of the request: {next(iter(errors[first].values()))[0]}", {"lines": errors}
        )
    db.session.add(request)
    db.session.flush()
    return request


def _visible(query: sa.Select, viewer: Actor) -> sa.Select:
    return query.join(Location, StockRequest.location_id == Location.id).where(
        organisation_visible(Location.organisation_id, viewer)
    )


def request_query(viewer: Actor, *, status: str | None = None, location: str | None = None) -> sa.Select:
    query = _visible(sa.select(StockRequest), viewer)
    if status:
        query = query.where(StockRequest.status == RequestStatus(status))
    if location:
        query = query.where(Location.code == code_of(location))
    return query.order_by(StockRequest.id.desc())


def get_request(request_id: int, viewer: Actor, *, lock: bool = False) -> StockRequest:
    query = _visible(sa.select(StockRequest).where(StockRequest.id == request_id), viewer)
    if lock:
        query = query.with_for_update(of=StockRequest).execution_options(populate_existing=True)
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(NO_REQUEST)
    return found


def approve(request_id: int, lines: list[dict] | None, actor: Actor, now: datetime) -> StockRequest:
    """Approve every line in full (lines=None), or each line's `approved` count, in line order."""
    request = get_request(request_id, actor, lock=True)
    request.check(RequestAction.APPROVE)
    if lines is not None and len(lines) != len(request.lines):
        raise InvalidInput(
            f"{request.describe()} has {len(request.lines)} line(s): answer each, in order",
            {"lines": [f"Give {len(request.lines)} line(s)."]},
        )
    errors = {}
    for i, line in enumerate(request.lines):
        wanted = line.count if lines is None else lines[i]["approved"]
        if wanted > line.count:
            errors[i] = {"approved": [f"At most {line.count}: the line asks for {line.count} {line.wanted}."]}
        line.approved = wanted
    if errors:
        first = min(errors)
        raise InvalidInput(f"Line {first + 1}: {errors[first]['approved'][0]}", {"lines": errors})
    request.apply(RequestAction.APPROVE)
    request.decided_by_id, request.decided_at = actor.id, now
    db.session.flush()
    return request


def decline(request_id: int, reason: str, actor: Actor, now: datetime) -> StockRequest:
    request = get_request(request_id, actor, lock=True)
    request.apply(RequestAction.DECLINE)
    request.decline_reason = reason
    request.decided_by_id, request.decided_at = actor.id, now
    db.session.flush()
    return request


# --- what has been packed, sent and received against each line ----------------------------------


@dataclass
class LineProgress:
    line: StockRequestLine
    packed: int = 0
    sent: int = 0
    received: int = 0

    @property
    def outstanding(self) -> int:
        """What is still to pack: approved, less what is already on a consignment for the request."""
        return max(0, (self.line.approved or 0) - self.packed)


def progress(request: StockRequest) -> list[LineProgress]:
    """Per line: kits of its template (a template line) or loose items of its type (a type line) on the
    request's consignments; sent once dispatched, received once every item of the unit has arrived."""
    lines = [LineProgress(line) for line in request.lines]
    by_template = {p.line.template_id: p for p in lines if p.line.template_id is not None}
    by_type = {p.line.type: p for p in lines if p.line.type is not None}
    consignments = db.session.scalars(sa.select(Consignment).where(Consignment.request_id == request.id))
    for consignment in consignments:
        sent = consignment.status != ConsignmentStatus.PACKING
        units: dict[tuple[str, int], list[ConsignmentItem]] = {}
        for item in consignment.items:
            key = ("kit", item.kit_id) if item.kit_id is not None else ("asset", item.asset_id)
            units.setdefault(key, []).append(item)
        for (kind, _), items in units.items():
            if kind == "kit":
                kit = items[0].kit
                target = by_template.get(kit.template_id) if kit is not None and kit.template_id else None
            else:
                target = by_type.get(items[0].asset.type)
            if target is None:
                continue  # more than was asked for: on the consignment, counted against nothing
            target.packed += 1
            target.sent += sent
            target.received += all(i.arrived for i in items)
    return lines


# --- the admins' view: requests against stock -----------------------------------------------------


@dataclass
class Availability:
    in_stock: int  # ready to send from a warehouse: assembled kits of the template, or loose items in stock
    at_hub: int  # already held at the requesting location


def availability(line: StockRequestLine, location_id: int) -> Availability:
    warehouses = sa.select(Location.id).where(Location.kind == LocationKind.WAREHOUSE)
    if line.template_id is not None:
        kits = sa.select(sa.func.count()).where(Kit.template_id == line.template_id, Kit.status == KitStatus.ASSEMBLED)
        return Availability(
            db.session.scalar(kits.where(Kit.location_id.in_(warehouses))) or 0,
            db.session.scalar(kits.where(Kit.location_id == location_id)) or 0,
        )
    items = sa.select(sa.func.count()).where(Asset.type == line.type)
    return Availability(
        db.session.scalar(
            items.where(Asset.status.in_(AVAILABLE), Asset.kit_id.is_(None), Asset.location_id.in_(warehouses))
        )
        or 0,
        db.session.scalar(items.where(Asset.status.in_(HELD), Asset.location_id == location_id)) or 0,
    )
