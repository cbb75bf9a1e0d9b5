"""Consignments: pack stock for a hub by scanning, dispatch it (in transit), receive it at the hub (what
arrived, damaged, short, unexpected), and close it with what never came marked missing. Every change of
an asset or kit writes its event, naming the consignment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from .. import tags as tag_rules
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import (
    Actor,
    Asset,
    AssetAction,
    Consignment,
    ConsignmentAction,
    ConsignmentItem,
    ConsignmentStatus,
    ItemOutcome,
    Kit,
    KitAction,
    Location,
    RequestAction,
    RequestStatus,
    Role,
    Snapshot,
    allocate_tags,
)
from ..models.assets import refusal_reason
from ..visibility import organisation_visible
from . import stock_requests
from .assets import checked_tag, lock_assets
from .reference import find_location

MAX_ITEMS = 500  # in one call; a consignment may hold more, added in several
NO_CONSIGNMENT = "No consignment has tag {tag}"  # another organisation's answers the same


def create_consignment(*, to: str, from_: str, request_id: int | None, actor: Actor) -> Consignment:
    destination = find_location(to, "to", what="receive consignments")
    source = find_location(from_, "from", what="send consignments")
    if destination.id == source.id:
        raise InvalidInput("A consignment goes from one location to another", {"to": ["Choose another location."]})
    request = None
    if request_id is not None:
        request = stock_requests.get_request(request_id, actor)
        if request.status not in (RequestStatus.APPROVED, RequestStatus.SENT):
            raise Conflict(f"{request.describe()} is {request.status.value}: only an approved request is packed")
        if request.location_id != destination.id:
            raise InvalidInput(
                f"{request.describe()} is for {request.location.code}, not {destination.code}",
                {"to": [f"The request is for {request.location.code}."]},
            )
    consignment = Consignment(
        tag=allocate_tags(db.session, 1)[0],
        status=ConsignmentStatus.PACKING,
        from_location=source,
        to_location=destination,
        request=request,
        created_by_id=actor.id,
    )
    db.session.add(consignment)
    db.session.flush()
    return consignment


def _visible(query: sa.Select, viewer: Actor) -> sa.Select:
    """Partners see consignments to or from their own organisation's locations."""
    own = sa.select(Location.id).where(organisation_visible(Location.organisation_id, viewer))
    return query.where(sa.or_(Consignment.to_location_id.in_(own), Consignment.from_location_id.in_(own)))


def get_consignment(tag: str, viewer: Actor, *, lock: bool = False) -> Consignment:
    tag = checked_tag(tag)
    query = _visible(sa.select(Consignment).where(Consignment.tag == tag), viewer)
    if lock:
        # One change of a consignment at a time: two people receiving it at once queue here, and the
        # second then reads the first one's items afresh (populate_existing reaches the eager-loaded items).
        query = query.with_for_update(of=Consignment).execution_options(populate_existing=True)
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(NO_CONSIGNMENT.format(tag=tag))
    return found


def consignment_query(
    viewer: Actor, *, status: str | None = None, location: str | None = None, after: int | None = None
) -> sa.Select:
    """Consignments the viewer sees, newest first; `after`: the id of the row a page ended at."""
    query = _visible(sa.select(Consignment), viewer)
    if after is not None:
        query = query.where(Consignment.id < after)
    if status:
        query = query.where(Consignment.status == ConsignmentStatus(status))
    if location:
        place = sa.select(Location.id).where(Location.code == location.strip().upper())
        query = query.where(sa.or_(Consignment.to_location_id.in_(place), Consignment.from_location_id.in_(place)))
    return query.order_by(Consignment.id.desc())


# A delivery still to receive: on its way, or part received (what is short may yet come).
ON_ITS_WAY = (ConsignmentStatus.IN_TRANSIT, ConsignmentStatus.PART_RECEIVED)


def deliveries_query(viewer: Actor, *, after: int | None = None) -> sa.Select:
    """Consignments on their way to a place the viewer receives at (partners: their own hubs; the warehouse
    and admins: anywhere), not fully received: the hub page's list and the partner's home-page count.
    Newest first; `after`: the id of the row a page ended at."""
    own = sa.select(Location.id).where(organisation_visible(Location.organisation_id, viewer))
    query = sa.select(Consignment).where(Consignment.status.in_(ON_ITS_WAY), Consignment.to_location_id.in_(own))
    if after is not None:
        query = query.where(Consignment.id < after)
    return query.order_by(Consignment.id.desc())


def to_pack_query(viewer: Actor) -> sa.Select:
    """Consignments started and not yet dispatched, from the places the viewer sees: the warehouse's
    home-page count and the consignments list filtered to `packing`."""
    return consignment_query(viewer, status=ConsignmentStatus.PACKING.value)


@dataclass
class Outstanding:
    template: str | None
    type: str | None
    count: int


def outstanding(consignment: Consignment) -> list[Outstanding] | None:
    """For a request: what is still to pack, line by line (None when the consignment answers no request)."""
    if consignment.request is None:
        return None
    return [
        Outstanding(
            p.line.template.code if p.line.template else None, p.line.type.value if p.line.type else None, p.outstanding
        )
        for p in stock_requests.progress(consignment.request)
        if p.outstanding
    ]


# --- packing ---------------------------------------------------------------------------------------


def _event(before: Snapshot, action: str, actor: Actor, consignment: Consignment, note: str | None = None):
    """The asset's or kit's event for a step, naming the consignment (the ledger is per asset and kit)."""
    db.session.add(before.event(action, actor, note=note, details={"consignment": consignment.tag}))


def _already_packed(asset_ids: list[int], consignment: Consignment) -> dict[int, str]:
    """Which of these assets are on another consignment that has not arrived (packing or travelling)."""
    if not asset_ids:
        return {}
    rows = db.session.execute(
        sa.select(ConsignmentItem.asset_id, Consignment.tag)
        .join(Consignment, Consignment.id == ConsignmentItem.consignment_id)
        .where(
            ConsignmentItem.asset_id.in_(asset_ids),
            ConsignmentItem.outcome.is_(None),
            Consignment.id != consignment.id,
            Consignment.status.in_([ConsignmentStatus.PACKING, ConsignmentStatus.IN_TRANSIT]),
        )
    )
    return {asset_id: tag for asset_id, tag in rows}


def _refusal_for_asset(asset: Asset, consignment: Consignment, elsewhere: dict[int, str]) -> str | None:
    source = consignment.from_location
    if asset.id in elsewhere:
        return f"{asset.describe()} is already packed in consignment {elsewhere[asset.id]}"
    if asset.kit_id is not None and asset.kit is not None:
        return f"{asset.describe()} is in kit {asset.kit.tag}: pack the kit, or take the item out of it first"
    if not asset.can(AssetAction.DISPATCH):
        why = refusal_reason(AssetAction.DISPATCH, asset.status, in_kit=asset.kit_id is not None)
        return asset.refusal("packed", why).message
    if asset.location_id != source.id:
        where = asset.location.code if asset.location else "no location"
        return f"{asset.describe()} is at {where}, not at {source.code} where this consignment leaves from"
    return None


def _things(codes: list[str], field: str = "items") -> list[Asset | Kit]:
    """Assets or kits by tag, in the order given; unknown tags refused together, naming each."""
    wanted = [checked_tag(c, field) for c in codes]
    assets = {a.tag: a for a in db.session.scalars(sa.select(Asset).where(Asset.tag.in_(wanted)))}
    kits = {k.tag: k for k in db.session.scalars(sa.select(Kit).where(Kit.tag.in_(wanted)))}
    unknown = [t for t in wanted if t not in assets and t not in kits]
    if unknown:
        raise NotFound(f"No asset or kit has tag {', '.join(unknown)}")
    return [assets.get(t) or kits[t] for t in wanted]


def add_items(tag: str, codes: list[str], actor: Actor, *, note: str | None = None) -> Consignment:
    """Put assets, or kits with all their items, on the consignment while it is packed: only what is in
    stock at its `from`; anything else refuses the whole call, naming each item and why."""
    if not codes:
        raise InvalidInput("Scan at least one item", {"items": ["Give at least one tag."]})
    if len(codes) > MAX_ITEMS:
        raise InvalidInput(f"At most {MAX_ITEMS} items at a time", {"items": [f"At most {MAX_ITEMS}."]})
    consignment = get_consignment(tag, actor, lock=True)
    consignment.check(ConsignmentAction.PACK)
    things = _things(codes)
    kits = [t for t in things if isinstance(t, Kit)]
    asset_tags = [t.tag for t in things if isinstance(t, Asset)] + [a.tag for k in kits for a in k.items]
    assets = {a.tag: a for a in lock_assets(asset_tags)}  # refuses a tag given twice (or a kit and its item)
    on_it = {item.asset_id for item in consignment.items}
    elsewhere = _already_packed([a.id for a in assets.values()], consignment)
    refusals: list[str] = []
    for thing in things:
        if isinstance(thing, Kit):
            if not thing.can(KitAction.DISPATCH):
                refusals.append(f"kit {thing.tag} is {thing.status.value}, so it cannot be packed")
            elif thing.location_id != consignment.from_location_id:
                where = thing.location.code if thing.location else "no location"
                refusals.append(f"kit {thing.tag} is at {where}, not at {consignment.from_location.code}")
            elif not thing.items:
                refusals.append(f"kit {thing.tag} has no items left")
            for asset in thing.items:
                if asset.id in on_it:
                    refusals.append(f"{asset.describe()} is already on this consignment")
                elif asset.id in elsewhere:
                    refusals.append(f"{asset.describe()} is already packed in consignment {elsewhere[asset.id]}")
                elif not asset.can(AssetAction.DISPATCH_WITH_KIT):
                    refusals.append(asset.refusal("packed").message)
        elif thing.id in on_it:
            refusals.append(f"{thing.describe()} is already on this consignment")
        else:
            reason = _refusal_for_asset(thing, consignment, elsewhere)
            if reason:
                refusals.append(reason)
    if refusals:
        raise Conflict("; ".join(refusals), {"items": refusals})
    for thing in things:
        members = thing.items if isinstance(thing, Kit) else [thing]
        for asset in members:
            consignment.items.append(ConsignmentItem(asset=asset, kit_id=thing.id if isinstance(thing, Kit) else None))
            _event(Snapshot(asset), "pack", actor, consignment, note)
        if isinstance(thing, Kit):
            _event(Snapshot(thing), "pack", actor, consignment, note)
    db.session.flush()
    return consignment


def remove_item(tag: str, code: str, actor: Actor) -> Consignment:
    """Take an asset (or a kit, with its items) off the consignment while it is packed."""
    consignment = get_consignment(tag, actor, lock=True)
    consignment.check(ConsignmentAction.PACK)
    thing = _things([code], "item")[0]
    if isinstance(thing, Kit):
        taken = [i for i in consignment.items if i.kit_id == thing.id]
    else:
        taken = [i for i in consignment.items if i.asset_id == thing.id]
        if taken and taken[0].kit_id is not None:
            raise Conflict(
                f"{thing.describe()} travels in kit {taken[0].kit.tag if taken[0].kit else ''}: take out the kit"
            )
    if not taken:
        raise NotFound(f"{thing.tag} is not on {consignment.describe()}")
    for item in taken:
        consignment.items.remove(item)
        _event(Snapshot(item.asset), "unpack", actor, consignment)
    if isinstance(thing, Kit):
        _event(Snapshot(thing), "unpack", actor, consignment)
    db.session.flush()
    return consignment


def dispatch(tag: str, actor: Actor, now: datetime, *, note: str | None = None) -> Consignment:
    """Everything on it leaves: items (and kits) in_transit, each checked again (things change while a
    box is packed), all or none."""
    consignment = get_consignment(tag, actor, lock=True)
    consignment.check(ConsignmentAction.DISPATCH)
    if not consignment.items:
        raise Conflict(f"{consignment.describe()} is empty: pack something before dispatching it")
    assets = lock_assets([i.asset.tag for i in consignment.items])
    kit_of = {i.asset_id: i.kit for i in consignment.items}
    refusals = []
    for asset in assets:
        kit = kit_of[asset.id]
        action = AssetAction.DISPATCH_WITH_KIT if kit is not None else AssetAction.DISPATCH
        if (
            not asset.can(action)
            or asset.location_id != consignment.from_location_id
            or asset.kit_id != (kit.id if kit else None)
        ):
            refusals.append(
                f"{asset.describe()} is {asset.status.value} at "
                f"{asset.location.code if asset.location else 'no location'}: take it off the consignment"
            )
    if refusals:
        raise Conflict("; ".join(refusals), {"items": refusals})
    kits = {k.id: k for k in kit_of.values() if k is not None}
    for asset in assets:
        before = Snapshot(asset)
        asset.apply(AssetAction.DISPATCH_WITH_KIT if kit_of[asset.id] is not None else AssetAction.DISPATCH)
        _event(before, "dispatch", actor, consignment, note)
    for kit in kits.values():
        before = Snapshot(kit)
        kit.apply(KitAction.DISPATCH)
        _event(before, "dispatch", actor, consignment, note)
    consignment.status = ConsignmentStatus.IN_TRANSIT
    consignment.dispatched_at = now
    if consignment.request is not None:
        consignment.request.apply(RequestAction.SEND)
    db.session.flush()
    return consignment


# --- receiving at the destination -------------------------------------------------------------------


@dataclass
class Receipt:
    consignment: Consignment
    received: list[str] = field(default_factory=list)  # every item that has arrived, this time or before
    short: list[str] = field(default_factory=list)  # on it, not yet arrived (still in_transit)
    unexpected: list[str] = field(default_factory=list)  # scanned this time, not on it: left alone


def receipt(consignment: Consignment, unexpected: list[str] | None = None) -> Receipt:
    return Receipt(
        consignment,
        received=[i.asset.tag for i in consignment.items if i.arrived],
        short=[i.asset.tag for i in consignment.items if i.outcome is None],
        unexpected=unexpected or [],
    )


def _scanned(codes: list[str], field: str) -> list[str]:
    tags, errors = [], {}
    for i, code in enumerate(codes):
        tag = tag_rules.normalise(code or "")
        try:
            tags.append(tag_rules.check(tag))
        except tag_rules.TagError as exc:
            errors[i] = [str(exc)]
    if errors:
        first = min(errors)
        raise InvalidInput(f"{field} {first + 1} ('{codes[first]}'): {errors[first][0]}", {field: errors})
    return tags


def receive(
    tag: str, actor: Actor, now: datetime, *, items: list[str], damaged: list[str], note: str | None = None
) -> Receipt:
    """What was scanned at the destination arrives there (damaged items into quarantine); a kit's tag
    stands for all its items. What is on it and not scanned stays in_transit; what was scanned and is
    not on it is listed and left alone. Scanning an item again is harmless."""
    scanned, hurt = _scanned(items, "items"), set(_scanned(damaged, "damaged"))
    consignment = get_consignment(tag, actor, lock=True)
    _at_destination(consignment, actor)
    consignment.check(ConsignmentAction.RECEIVE)
    by_asset = {i.asset.tag: i for i in consignment.items}
    by_kit: dict[str, list[ConsignmentItem]] = {}
    for item in consignment.items:
        if item.kit is not None:
            by_kit.setdefault(item.kit.tag, []).append(item)
    arriving: dict[str, bool] = {}  # asset tag -> damaged
    unexpected: list[str] = []
    for code in dict.fromkeys([*scanned, *sorted(hurt - set(scanned))]):
        if code in by_kit:
            for item in by_kit[code]:
                arriving.setdefault(item.asset.tag, code in hurt)
        elif code in by_asset:
            arriving[code] = arriving.get(code, False) or code in hurt
        elif code not in unexpected:
            unexpected.append(code)
    pending = [t for t in arriving if by_asset[t].outcome is None]
    destination = consignment.to_location
    touched_kits = set()
    for asset in lock_assets(pending):
        item = by_asset[asset.tag]
        before = Snapshot(asset)
        if arriving[asset.tag]:
            asset.apply(AssetAction.RECEIVE_DAMAGED)
            asset.kit = None  # checked on its own before it goes into any kit again
            item.outcome = ItemOutcome.DAMAGED
        else:
            asset.apply(AssetAction.RECEIVE_WITH_KIT if item.kit_id is not None else AssetAction.RECEIVE)
            item.outcome = ItemOutcome.RECEIVED
        asset.location = destination
        item.received_at = now
        _event(before, "arrive_damaged" if arriving[asset.tag] else "arrive", actor, consignment, note)
        if item.kit is not None:
            touched_kits.add(item.kit)
    db.session.flush()
    for kit in touched_kits:
        if all(i.outcome is not None for i in by_kit[kit.tag]):
            _settle_kit(kit, consignment, actor, note)
    _settle(consignment, now)
    db.session.flush()
    return receipt(consignment, unexpected)


def _at_destination(consignment: Consignment, actor: Actor) -> None:
    """Partners receive only at their own hubs (one that leaves their hub is received where it goes)."""
    if actor.role == Role.PARTNER and consignment.to_location.organisation_id != actor.organisation_id:
        raise Forbidden(f"{consignment.describe()} goes to {consignment.to_location.code}, not one of your hubs")


def _settle_kit(kit: Kit, consignment: Consignment, actor: Actor, note: str | None) -> None:
    """A kit whose items have all arrived (or gone missing) is ready at the destination; one left with
    nothing in it (all damaged or missing) is emptied."""
    db.session.refresh(kit, ["items"])
    before = Snapshot(kit)
    if kit.items:
        kit.apply(KitAction.RECEIVE)
        kit.location = consignment.to_location
        _event(before, "arrive", actor, consignment, note)
    else:
        kit.apply(KitAction.EMPTIED)
        _event(before, "emptied", actor, consignment, note)


def _settle(consignment: Consignment, now: datetime) -> None:
    if any(i.outcome is None for i in consignment.items):
        consignment.status = ConsignmentStatus.PART_RECEIVED
        return
    if consignment.status != ConsignmentStatus.CLOSED:
        consignment.status = ConsignmentStatus.RECEIVED
    consignment.received_at = consignment.received_at or now
    if consignment.request is not None and consignment.request.status == RequestStatus.SENT:
        consignment.request.apply(RequestAction.RECEIVE)


def close(tag: str, actor: Actor, now: datetime, *, short: str, note: str | None = None) -> Receipt:
    """Close a consignment that will not be completed: what never came is marked missing."""
    consignment = get_consignment(tag, actor, lock=True)
    _at_destination(consignment, actor)
    consignment.check(ConsignmentAction.CLOSE)
    pending = [i for i in consignment.items if i.outcome is None]
    by_tag = {i.asset.tag: i for i in pending}
    kits = set()
    for asset in lock_assets(list(by_tag)):
        item = by_tag[asset.tag]
        before = Snapshot(asset)
        asset.go_missing()
        item.outcome = ItemOutcome.MISSING
        _event(before, "missing", actor, consignment, note)
        if item.kit is not None:
            kits.add(item.kit)
    db.session.flush()
    for kit in kits:
        _settle_kit(kit, consignment, actor, note)
    consignment.status = ConsignmentStatus.CLOSED
    consignment.closed_at = now
    _settle(consignment, now)
    db.session.flush()
    return receipt(consignment)


def match_code(consignment: Consignment, code: str) -> str | None:
    """The tag on this consignment (an item's or a kit's) that a scanned code names: a label URL, a tag in
    any form, a serial, an IMEI or an ICCID. Receiving matches against the consignment itself, so a
    partner can receive items that are not yet at their hub (and learns nothing of anything else)."""
    from .scanning import tag_in_code

    raw = (code or "").strip()
    tag = tag_in_code(raw)
    digits = "".join(ch for ch in raw if ch.isdigit())
    for item in consignment.items:
        asset = item.asset
        if tag in (asset.tag, item.kit.tag if item.kit else None):
            return tag
        if raw.upper() == (asset.serial or "").upper() or (digits and digits in (asset.imei, asset.iccid)):
            return asset.tag
    return None
