"""Kits: build one from scanned items, move it as one, take it apart."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import (
    Actor,
    Asset,
    AssetAction,
    Event,
    Kit,
    KitAction,
    KitStatus,
    KitTemplate,
    Snapshot,
    allocate_tags,
    utcnow,
)
from ..visibility import where_visible
from .assets import checked_tag, lock_assets
from .reference import code_of, find_location

MAX_ITEMS = 50


def template_gaps(template: KitTemplate, items: list[Asset]) -> tuple[dict[str, int], dict[str, int]]:
    """What the items lack against the template, and what they have too much of, by type."""
    return gaps_for_types(template, [a.type.value for a in items])


def gaps_for_types(template: KitTemplate, types: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """The same, from the items' types alone (the scan station asks after every scan)."""
    want = {t.value: n for t, n in template.contents().items()}
    have = Counter(types)
    missing = {t: n - have.get(t, 0) for t, n in want.items() if have.get(t, 0) < n}
    extra = {t: n - want.get(t, 0) for t, n in have.items() if n > want.get(t, 0)}
    return missing, extra


def _describe_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))


def build_kit(item_tags: list[str], actor: Actor, *, template: str | None = None, note: str | None = None) -> Kit:
    if not item_tags:
        raise InvalidInput("A kit needs at least one item", {"items": ["Scan at least one item."]})
    if len(item_tags) > MAX_ITEMS:
        raise InvalidInput(f"A kit holds at most {MAX_ITEMS} items", {"items": [f"At most {MAX_ITEMS} items."]})
    kit_template = None
    if template:
        kit_template = db.session.scalar(sa.select(KitTemplate).where(KitTemplate.code == code_of(template)))
        if kit_template is None:
            raise InvalidInput(
                f"Unknown kit template '{template}'", {"template": [f"No kit template has code '{template}'."]}
            )
        kit_template.check_builds()
    items = lock_assets(item_tags)

    for asset in items:
        if asset.kit_id is not None:
            assert asset.kit is not None  # its kit_id is set
            raise Conflict(f"{asset.describe()} is already in kit {asset.kit.tag}: take that kit apart first")
        asset.check(AssetAction.BUILD_KIT)
    places = {a.location_id for a in items}
    if len(places) > 1:
        where = "; ".join(f"{a.tag} at {a.location.code if a.location else 'no location'}" for a in items)
        raise Conflict(f"The items are at different locations ({where}): move them to one place first")
    programmes = {a.programme.code for a in items if a.programme is not None}
    if kit_template is not None:
        foreign = programmes - {kit_template.programme.code}
        if foreign:
            raise Conflict(
                f"Template {kit_template.code} is for programme {kit_template.programme.code}, "
                f"but some items belong to {', '.join(sorted(foreign))}"
            )
        missing, extra = template_gaps(kit_template, items)
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {_describe_counts(missing)}")
            if extra:
                parts.append(f"{_describe_counts(extra)} more than it needs")
            raise InvalidInput(
                f"The items do not make a {kit_template.code} kit: {'; '.join(parts)}",
                {
                    "items": [
                        f"Template {kit_template.code} needs "
                        f"{_describe_counts({t.value: n for t, n in kit_template.contents().items()})}."
                    ]
                },
            )
    elif len(programmes) > 1:
        raise Conflict(
            f"The items belong to different programmes ({', '.join(sorted(programmes))}): "
            "a kit is issued under one programme"
        )

    kit = Kit(
        tag=allocate_tags(db.session, 1)[0],
        status=KitStatus.ASSEMBLED,
        location=items[0].location,
        template=kit_template,
        programme=kit_template.programme if kit_template else (items[0].programme if programmes else None),
    )
    db.session.add(kit)
    db.session.flush()
    for asset in items:
        before = Snapshot(asset)
        asset.apply(AssetAction.BUILD_KIT)
        asset.kit = kit
        db.session.add(before.event("kit", actor, note=note, kit_id=kit.id, details={"kit": kit.tag}))
    # The kit's own first event says what went into it.
    db.session.add(
        Event(
            actor_id=actor.id,
            kit_id=kit.id,
            action="assemble",
            to_status=kit.status.value,
            to_location_id=kit.location_id,
            note=note,
            details={"items": [a.tag for a in items]},
        )
    )
    db.session.flush()
    return kit


def get_kit(tag: str, viewer: Actor) -> Kit:
    tag = checked_tag(tag)
    kit = db.session.scalar(where_visible(sa.select(Kit).where(Kit.tag == tag), Kit.location_id, viewer))
    if kit is None:
        raise NotFound(f"No kit has tag {tag}")
    return kit


def _lock_kit(tag: str) -> Kit:
    tag = checked_tag(tag)
    kit = db.session.scalar(
        sa.select(Kit).where(Kit.tag == tag).with_for_update(of=Kit).execution_options(populate_existing=True)
    )
    if kit is None:
        raise NotFound(f"No kit has tag {tag}")
    return kit


def dismantle_kit(tag: str, actor: Actor, *, note: str | None = None) -> Kit:
    kit = _lock_kit(tag)
    kit.check(KitAction.DISMANTLE)
    items = lock_assets([a.tag for a in kit.items])
    kit_before = Snapshot(kit)
    for asset in items:
        before = Snapshot(asset)
        asset.apply(AssetAction.UNKIT)
        asset.kit = None
        db.session.add(before.event("unkit", actor, note=note, details={"kit": kit.tag}))
    kit.apply(KitAction.DISMANTLE)
    kit.dismantled_at = utcnow()
    db.session.add(kit_before.event("dismantle", actor, note=note, details={"items": [a.tag for a in items]}))
    db.session.flush()
    return kit


def move_kit(tag: str, location: str, actor: Actor, *, note: str | None = None) -> Kit:
    kit = _lock_kit(tag)
    kit.check(KitAction.MOVE)
    destination = find_location(location, what="take kits moved to it")
    items = lock_assets([a.tag for a in kit.items])
    kit_before = Snapshot(kit)
    for asset in items:
        before = Snapshot(asset)
        asset.move_to(destination, with_kit=True)
        db.session.add(before.event("move", actor, note=note))
    kit.location = destination
    db.session.add(kit_before.event("move", actor, note=note))
    db.session.flush()
    return kit


def kit_history(tag: str) -> list[Event]:
    kit = db.session.scalar(sa.select(Kit).where(Kit.tag == checked_tag(tag)))
    if kit is None:
        raise NotFound(f"No kit has tag {checked_tag(tag)}")
    return list(
        db.session.scalars(sa.select(Event).where(Event.kit_id == kit.id, Event.asset_id.is_(None)).order_by(Event.id))
    )
