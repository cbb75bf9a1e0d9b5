"""Deactivating and reactivating programmes, organisations, locations and kit templates: what each
refuses while something still depends on it, and the audit row every change writes (reference_history).

What a deactivated record then stops is said once, on its model (Location.check_receives,
Programme.check_takes_new, Organisation.check_takes_members, KitTemplate.check_builds), and asked by
every service that would give it something new."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import (
    Actor,
    Asset,
    AssetStatus,
    Consignment,
    ConsignmentStatus,
    KitTemplate,
    Location,
    Organisation,
    Programme,
    ReferenceAction,
    RequestStatus,
    Role,
    StockRequest,
    Stocktake,
    StocktakeStatus,
    User,
)
from . import reference_history, users
from .reference import code_of

Reference = Programme | Organisation | Location | KitTemplate
KINDS: dict[str, Any] = {
    "programme": Programme,
    "organisation": Organisation,
    "location": Location,
    "kit-template": KitTemplate,
}

# What deactivating each kind means, in the words the confirmation page and the API documentation use.
CONSEQUENCES = {
    "programme": "A deactivated programme takes no new participants, assets, loans or kit templates. Its loans, "
    "data plans, reminders and assessments carry on.",
    "organisation": "An organisation can be deactivated once all its locations are. Its partner users are "
    "deactivated and signed out with it; reactivating the organisation does not bring them back (reactivate "
    "each user who should sign in again).",
    "location": "A deactivated location receives nothing: no deliveries, moves, consignments, stocktakes or "
    "returns, and it is left out of the lists people pick from. Its history and stock counts stay readable. "
    "It can be deactivated only once it holds no items (received, in stock, in kits, in quarantine, at repair "
    "or in transit) and has no open consignment, stock request or stocktake.",
    "kit-template": "A retired template builds no new kit and cannot be asked for. Kits already built against "
    "it keep their items.",
}

# Items a location still holds: everything whose place it is, bar what has left it for good or gone.
HELD_HERE = (
    AssetStatus.RECEIVED,
    AssetStatus.IN_STOCK,
    AssetStatus.IN_KIT,
    AssetStatus.QUARANTINE,
    AssetStatus.REPAIR,
    AssetStatus.IN_TRANSIT,
)
OPEN_CONSIGNMENT = (ConsignmentStatus.PACKING, ConsignmentStatus.IN_TRANSIT, ConsignmentStatus.PART_RECEIVED)
OPEN_REQUEST = (RequestStatus.REQUESTED, RequestStatus.APPROVED, RequestStatus.SENT)


@dataclass
class Outcome:
    """What changed: the record, and (deactivating an organisation) the partner users signed out with it."""

    thing: Reference
    changed: bool
    users_deactivated: list[User] = field(default_factory=list)


def _locked(kind: str, code: str) -> Any:
    model = KINDS[kind]
    found = db.session.scalar(
        sa.select(model)
        .where(model.code == code_of(code))
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(f"No {kind.replace('-', ' ')} has code {code_of(code)}")
    return found


def location_holdings(location: Location) -> dict[str, int]:
    """What still ties a location to live stock: items there by status, open consignments to or from it,
    open stock requests for it and an open stocktake. Empty when it may be deactivated."""
    held: dict[str, int] = {
        status.value: count
        for status, count in db.session.execute(
            sa.select(Asset.status, sa.func.count())
            .where(Asset.location_id == location.id, Asset.status.in_(HELD_HERE))
            .group_by(Asset.status)
        )
    }
    moving = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Consignment)
        .where(
            sa.or_(Consignment.to_location_id == location.id, Consignment.from_location_id == location.id),
            Consignment.status.in_(OPEN_CONSIGNMENT),
        )
    )
    requests = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StockRequest)
        .where(StockRequest.location_id == location.id, StockRequest.status.in_(OPEN_REQUEST))
    )
    counting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Stocktake)
        .where(Stocktake.location_id == location.id, Stocktake.status == StocktakeStatus.OPEN)
    )
    for name, count in (("consignments", moving), ("stock_requests", requests), ("stocktakes", counting)):
        if count:
            held[name] = count
    return held


_SAID = {
    "received": "received and not yet in stock",
    "in_stock": "in stock",
    "in_kit": "in kits",
    "quarantine": "in quarantine",
    "repair": "at repair",
    "in_transit": "in transit",
}


def describe_holdings(held: dict[str, int]) -> list[str]:
    """What location_holdings found, as phrases a person reads: "3 items in stock", "1 open consignment"."""
    said = [f"{n} item{'s' if n != 1 else ''} {_SAID[k]}" for k, n in held.items() if k in _SAID]
    for key, one, many in (
        ("consignments", "open consignment to or from it", "open consignments to or from it"),
        ("stock_requests", "open stock request for it", "open stock requests for it"),
        ("stocktakes", "open stocktake", "open stocktakes"),
    ):
        if held.get(key):
            said.append(f"{held[key]} {one if held[key] == 1 else many}")
    return said


def _refuse_busy_location(location: Location) -> None:
    held = location_holdings(location)
    if held:
        items = sum(n for k, n in held.items() if k in _SAID)
        raise Conflict(
            f"Location {location.code} ({location.name}) cannot be deactivated while it holds "
            f"{items} item{'s' if items != 1 else ''}: it still has {'; '.join(describe_holdings(held))}. "
            f"Move the items elsewhere, and receive, close or decline what is open, first: see "
            f"/stock?location={location.code} and /consignments?location={location.code}",
            {"held": held},
        )


def set_active(kind: str, code: str, active: bool, actor: Actor) -> Outcome:
    """Deactivate or reactivate one record. Refuses (409) a location that still holds anything, an
    organisation that still has active locations, and reactivating what belongs to something deactivated.
    Doing it twice changes nothing the second time."""
    thing = _locked(kind, code)
    outcome = Outcome(thing, changed=thing.active != active)
    if not outcome.changed:
        return outcome
    if kind == "location":
        if active and thing.organisation is not None:
            thing.organisation.check_takes_members("active locations")
        if not active:
            _refuse_busy_location(thing)
    elif kind == "organisation" and not active:
        still = db.session.scalars(
            sa.select(Location.code)
            .where(Location.organisation_id == thing.id, Location.active.is_(True))
            .order_by(Location.code)
        ).all()
        if still:
            raise Conflict(
                f"Organisation {thing.code} still has {len(still)} active location(s) "
                f"({', '.join(still)}): deactivate them first",
                {"held": {"active_locations": list(still)}},
            )
        outcome.users_deactivated = _sign_out_partners(thing, actor)
    elif kind == "kit-template" and active:
        thing.programme.check_takes_new("kit templates brought back")
    thing.active = active
    db.session.flush()
    reference_history.record(
        kind,
        thing.code,
        ReferenceAction.REACTIVATED if active else ReferenceAction.DEACTIVATED,
        actor,
        {"active": [not active, active]},
        f"partner users {', '.join(str(u.id) for u in outcome.users_deactivated)} deactivated with it"
        if outcome.users_deactivated
        else None,
    )
    return outcome


def _sign_out_partners(organisation: Organisation, actor: Actor) -> list[User]:
    """An organisation that stops working with the programme stops its partner users too: deactivated and
    signed out everywhere at once. Reactivating the organisation leaves them deactivated; an
    administrator brings back each one who should (users.reactivate asks the organisation)."""
    people = db.session.scalars(
        sa.select(User)
        .where(User.organisation_id == organisation.id, User.role == Role.PARTNER, User.active.is_(True))
        .order_by(User.id)
    ).all()
    for person in people:
        users.deactivate(person.id, actor)
    return list(people)
