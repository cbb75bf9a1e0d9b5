"""Finding assets: by tag, in lists, with their history; and locking them before a change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .. import tags as tag_rules
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..models import Actor, Asset, AssetStatus, AssetType, Event, Location, Programme
from ..permissions import sees_everything
from ..visibility import NOT_AT_YOUR_HUBS, asset_visible, where_visible
from .cursors import after_key
from .reference import code_of
from .search import starts_with


def checked_tag(code: str, field: str = "tag") -> str:
    """A tag as typed, normalised and checked. A mistyped tag is refused, never looked up."""
    tag = tag_rules.normalise(code or "")
    if not tag:
        raise InvalidInput("A tag is required", {field: ["A tag is required."]})
    try:
        return tag_rules.check(tag)
    except tag_rules.TagError as exc:
        raise InvalidInput(str(exc), {field: [str(exc)]}) from None


def get_asset(tag: str, viewer: Actor) -> Asset:
    tag = checked_tag(tag)
    asset = db.session.scalar(sa.select(Asset).where(Asset.tag == tag, asset_visible(viewer)))
    if asset is None:
        if not sees_everything(viewer.role):
            raise NotFound(NOT_AT_YOUR_HUBS.format(code=tag))  # never whether it exists, nor where
        raise NotFound(f"No asset has tag {tag}")
    return asset


# The orders the asset list offers: each sorts by its columns, then the id (which settles ties and makes the
# order total, so paging by key never skips or repeats a row). "oldest" and "newest" are the id alone.
ASSET_ORDERS: dict[str, tuple[str, ...]] = {
    "oldest": (),
    "newest": (),
    "tag": ("tag",),
    "type": ("type",),
    "status": ("status",),
    "make": ("make", "model"),
}


def sort_key(asset: Asset, sort: str) -> tuple:
    """An asset's place in a sorted list, less its id: where the next page starts after it."""
    return tuple(getattr(asset, column) for column in ASSET_ORDERS[sort])


def asset_query(
    viewer: Actor,
    *,
    type: str | None = None,
    status: str | None = None,
    location: str | None = None,
    programme: str | None = None,
    q: str | None = None,
    after: Any = None,
    newest_first: bool = False,
    sort: str | None = None,
    quarantined_before: datetime | None = None,
):
    """A select of assets matching the filters, in id order (as received; `newest_first` turns it round),
    or sorted by `sort` (one of ASSET_ORDERS: its columns, then the id), limited to what the viewer may see.
    With `after`, only those after that row in that order (a page that starts where the previous one
    ended): an id for the id orders, (sort_key, id) for the others, answered by an index on (columns, id).
    `quarantined_before`: in quarantine since before that moment."""
    sort = sort or ("newest" if newest_first else "oldest")
    columns = [getattr(Asset, name) for name in ASSET_ORDERS[sort]]
    query = where_visible(sa.select(Asset), Asset.location_id, viewer)
    if type:
        query = query.where(Asset.type == AssetType(type))
    if status:
        query = query.where(Asset.status == AssetStatus(status))
    if location:
        query = query.join(Location, Asset.location_id == Location.id).where(Location.code == code_of(location))
    if programme:
        query = query.join(Programme, Asset.programme_id == Programme.id).where(Programme.code == code_of(programme))
    if q:
        query = query.where(Asset.id.in_(matching_ids(q)))
    if quarantined_before is not None:
        query = query.where(
            Asset.status == AssetStatus.QUARANTINE, Asset.id.in_(_quarantined_before(quarantined_before))
        )
    if columns:
        if after is not None:
            key, last_id = after
            query = query.where(after_key(columns, key, last_id, Asset.id))
        return query.order_by(*columns, Asset.id)
    newest = sort == "newest"
    if after is not None:
        query = query.where(Asset.id < after if newest else Asset.id > after)
    return query.order_by(Asset.id.desc() if newest else Asset.id)


def counted_ids(viewer: Actor, **filters) -> sa.CompoundSelect | None:
    """The ids of asset_query's rows from indexes alone, where that can be done: a search and nothing else,
    by someone who sees the whole network (the search's union is then the list). None otherwise."""
    q = filters.pop("q", None)
    if not q or any(value is not None for value in filters.values()) or not sees_everything(viewer.role):
        return None
    return matching_ids(q)


def _quarantined_before(moment: datetime) -> sa.Select:
    """Ids of assets in quarantine whose last move into quarantine (their ledger's latest event that led
    there) happened before `moment`: waiting too long to be checked."""
    in_quarantine = sa.select(Asset.id).where(Asset.status == AssetStatus.QUARANTINE)
    return (
        sa.select(Event.asset_id)
        .where(Event.asset_id.in_(in_quarantine), Event.to_status == AssetStatus.QUARANTINE.value)
        .group_by(Event.asset_id)
        .having(sa.func.max(Event.at) < moment)
    )


def matching_ids(q: str) -> sa.CompoundSelect:
    """The ids of assets whose tag, serial, IMEI or ICCID is `q`, or whose make or model starts with it.

    A union of one look-up per column, each answered by its own index (the identifiers' b-trees; on
    PostgreSQL the trigram indexes on make and model), where one OR across the columns would read
    every row."""
    term = q.strip()
    ids = sa.select(Asset.id)
    return sa.union(
        ids.where(Asset.tag == tag_rules.normalise(term)),
        ids.where(Asset.serial == term.upper()),
        ids.where(Asset.imei == term),
        ids.where(Asset.iccid == term),
        ids.where(starts_with(Asset.make, term)),
        ids.where(starts_with(Asset.model, term)),
    )


def types_of(tags: list[str]) -> list[str]:
    """The asset types of these tags, one per asset found (one query, whatever the number of tags)."""
    if not tags:
        return []
    return [kind.value for kind in db.session.scalars(sa.select(Asset.type).where(Asset.tag.in_(tags)))]


def history(tag: str) -> list[Event]:
    tag = checked_tag(tag)
    asset_id = db.session.scalar(sa.select(Asset.id).where(Asset.tag == tag))
    if asset_id is None:
        raise NotFound(f"No asset has tag {tag}")
    return list(db.session.scalars(sa.select(Event).where(Event.asset_id == asset_id).order_by(Event.id)))


def lock_assets(tags: Iterable[str], field: str = "items") -> list[Asset]:
    """Load assets for a change, row-locked in id order (so two requests never deadlock), with
    fresh values: a request that waited for the lock sees what the other one committed."""
    wanted = [checked_tag(t, field) for t in tags]
    if len(set(wanted)) != len(wanted):
        dupes = sorted({t for t in wanted if wanted.count(t) > 1})
        raise InvalidInput(f"{', '.join(dupes)} listed more than once", {field: ["Each tag may appear once."]})
    found = list(
        db.session.scalars(
            sa.select(Asset)
            .where(Asset.tag.in_(wanted))
            .order_by(Asset.id)
            .with_for_update(of=Asset)
            .execution_options(populate_existing=True)
        )
    )
    missing = sorted(set(wanted) - {a.tag for a in found})
    if missing:
        raise NotFound(f"No asset has tag {', '.join(missing)}")
    by_tag = {a.tag: a for a in found}
    return [by_tag[t] for t in wanted]
