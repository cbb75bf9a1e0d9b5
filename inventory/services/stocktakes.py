"""Stocktakes: open a count of a location, scan what is there, see what is found, missing and
unexpected, and close it with the chosen actions (each change with its event)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..clock import UK
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import add_or_conflict, db
from ..models import (
    HELD,
    Actor,
    Asset,
    AssetAction,
    AssetStatus,
    Kit,
    KitAction,
    Location,
    MissingChoice,
    Outcome,
    Snapshot,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    UnexpectedChoice,
    as_utc,
)
from ..models.assets import refusal_reason
from ..visibility import organisation_visible, sees_organisation
from . import scanning
from .reference import get_location

MAX_CODES = 500  # codes in one request to scans
# What should be at a location, and so is expected when a count opens there.
COUNTED = HELD | {AssetStatus.MISSING}
NO_STOCKTAKE = "No stocktake has id {id}"  # one at another organisation's hub answers the same
# Scans write lines as Core statements: a conditional update and an insert that may do nothing.
LINES = cast(sa.Table, StocktakeLine.__table__)


# --- opening and finding ---------------------------------------------------------------------------


def open_stocktake(location: str, actor: Actor, now: datetime) -> Stocktake:
    """Start counting a location: what should be there is frozen now, one line per item."""
    place = get_location(location, actor)  # a partner's: their own organisation's only
    place.check_receives("have a new stocktake")
    already = db.session.scalar(
        sa.select(Stocktake.id).where(Stocktake.location_id == place.id, Stocktake.status == StocktakeStatus.OPEN)
    )
    if already is not None:
        raise Conflict(f"Stocktake {already} is already open at {place.code}: scan into that one, or close it first")
    stocktake = Stocktake(location=place, status=StocktakeStatus.OPEN, opened_at=now, opened_by_id=actor.id)
    # Two people opening one at the same moment: the partial unique index lets one through.
    add_or_conflict(stocktake, f"A stocktake is already open at {place.code}: scan into that one")
    held_here = sa.select(
        sa.literal(stocktake.id),
        Asset.id,
        sa.true(),
        Asset.status,
        Asset.location_id,
    ).where(Asset.location_id == place.id, Asset.status.in_(COUNTED))
    db.session.execute(
        sa.insert(StocktakeLine).from_select(
            ["stocktake_id", "asset_id", "expected", "recorded_status", "recorded_location_id"], held_here
        )
    )
    return stocktake


def get_stocktake(stocktake_id: int, viewer: Actor, *, lock: bool = False) -> Stocktake:
    query = sa.select(Stocktake).where(Stocktake.id == stocktake_id)
    if lock:  # closing: waits for the scans under way (they hold a shared lock), which then see it closed
        query = query.with_for_update(of=Stocktake)
    stocktake = db.session.scalar(query.execution_options(populate_existing=True))
    if stocktake is None or not sees_organisation(stocktake.location.organisation_id, viewer):
        raise NotFound(NO_STOCKTAKE.format(id=stocktake_id))
    return stocktake


def list_stocktakes(viewer: Actor, *, location: str | None = None, status: str | None = None) -> sa.Select:
    query = (
        sa.select(Stocktake)
        .join(Location, Stocktake.location_id == Location.id)
        .where(organisation_visible(Location.organisation_id, viewer))
    )
    if location:
        query = query.where(Stocktake.location_id == get_location(location, viewer).id)
    if status:
        query = query.where(Stocktake.status == StocktakeStatus(status))
    return query.order_by(Stocktake.id.desc())


def _refuse_unless_open(stocktake: Stocktake) -> None:
    if stocktake.status != StocktakeStatus.OPEN:
        raise Conflict(
            f"Stocktake {stocktake.id} at {stocktake.location.code} is closed: open a new one to count again"
        )


# --- scanning -------------------------------------------------------------------------------------


@dataclass
class ScanOutcome:
    """What one scanned item meant for the count."""

    code: str
    tag: str
    type: str
    outcome: str  # "found", "unexpected" or "repeat" (already counted: harmless)
    message: str


@dataclass
class ScanAnswer:
    results: list[ScanOutcome]
    counts: Counts


def _identify_all(codes: list[str]) -> list[tuple[str, list[str]]]:
    """Each code with the tags of the assets it names (a kit's label names its items); a code that
    names nothing, or a mistyped one, refuses the whole request, saying which."""
    found: list[tuple[str, list[str]]] = []
    errors: dict[int, list[str]] = {}
    for i, code in enumerate(codes):
        try:
            scan = scanning.identify(code)
        except (InvalidInput, NotFound, Conflict) as refused:
            errors[i] = [refused.message]
            continue
        if scan.kind == "asset":
            found.append((code, [scan.tag]))
        elif scan.kind == "kit" and scan.items:
            found.append((code, list(scan.items)))
        else:
            errors[i] = [f"{scan.tag} is a {scan.kind} label: scan the items themselves"]
    if errors:
        first = codes[min(errors)]
        raise InvalidInput(
            f"{len(errors)} of the codes could not be counted (the first: '{first[:60]}'); nothing was recorded",
            {"codes": errors},
        )
    return found


# A scan is the hot path of a count (one request per label a scanner reads), so, as in scanning.py, its
# statements are built once, with bound parameters: no statement building or ORM loading per request.
_stocktakes_t, _locations_t, _assets_t = (
    cast(sa.Table, Stocktake.__table__),
    cast(sa.Table, Location.__table__),
    cast(sa.Table, Asset.__table__),
)
# Scans take a shared lock on the count (many at once), closing an exclusive one: a close waits for the
# scans under way, and a scan that waited for a close sees it closed (PostgreSQL; SQLite's writers queue).
_COUNT_FOR_SCAN = (
    sa.select(_stocktakes_t.c.id, _stocktakes_t.c.status, _locations_t.c.code, _locations_t.c.organisation_id)
    .join(_locations_t, _stocktakes_t.c.location_id == _locations_t.c.id)
    .where(_stocktakes_t.c.id == sa.bindparam("stocktake"))
    .with_for_update(read=True, of=_stocktakes_t)
)
_ASSETS_BY_TAG = sa.select(
    _assets_t.c.id, _assets_t.c.tag, _assets_t.c.type, _assets_t.c.status, _assets_t.c.location_id
).where(_assets_t.c.tag.in_(sa.bindparam("tags", expanding=True)))
_MARK_FOUND = (
    sa.update(LINES)
    .where(
        LINES.c.stocktake_id == sa.bindparam("stocktake"),
        LINES.c.asset_id.in_(sa.bindparam("ids", expanding=True)),
        LINES.c.found_at.is_(None),  # the conditional update: of two scans at once, one marks it
    )
    .values(found_at=sa.bindparam("at"), found_by_id=sa.bindparam("by"))
    .returning(LINES.c.asset_id)
)
_HAVE_LINE = sa.select(LINES.c.asset_id).where(
    LINES.c.stocktake_id == sa.bindparam("stocktake"), LINES.c.asset_id.in_(sa.bindparam("ids", expanding=True))
)
# An unexpected item's line: INSERT ... ON CONFLICT DO NOTHING in each database's own words (both have it).
_ADD_UNEXPECTED = {
    "postgresql": postgresql.insert(LINES).on_conflict_do_nothing().returning(LINES.c.asset_id),
    "sqlite": sqlite.insert(LINES).on_conflict_do_nothing().returning(LINES.c.asset_id),
}


def record_scans(stocktake_id: int, codes: list[str], actor: Actor, now: datetime) -> ScanAnswer:
    """Count scanned codes into an open stocktake. Repeats are harmless, and several people scanning
    at once add up: each line is marked found by a conditional update, and an unexpected item gets its
    line by an insert that does nothing if someone else's scan made it first."""
    count = db.session.execute(_COUNT_FOR_SCAN, {"stocktake": stocktake_id}).one_or_none()
    if count is None or not sees_organisation(count.organisation_id, actor):
        raise NotFound(NO_STOCKTAKE.format(id=stocktake_id))
    if count.status != StocktakeStatus.OPEN:
        raise Conflict(f"Stocktake {stocktake_id} at {count.code} is closed: open a new one to count again")
    if not codes:
        raise InvalidInput("Scan at least one code", {"codes": ["Give at least one code."]})
    named = _identify_all(codes)
    tags = sorted({t for _, ts in named for t in ts})
    assets = {row.tag: row for row in db.session.execute(_ASSETS_BY_TAG, {"tags": tags})}
    ids = [a.id for a in assets.values()]
    newly_found = set(
        db.session.scalars(_MARK_FOUND, {"stocktake": stocktake_id, "ids": ids, "at": now, "by": actor.id})
    )
    have_line = newly_found | set(db.session.scalars(_HAVE_LINE, {"stocktake": stocktake_id, "ids": ids}))
    newly_unexpected: set[int] = set()
    add_unexpected = _ADD_UNEXPECTED[db.session.get_bind().dialect.name]
    for asset in sorted(assets.values(), key=lambda a: a.id):  # in id order: two batches never deadlock
        if asset.id in have_line:
            continue
        made = db.session.execute(
            add_unexpected,
            {
                "stocktake_id": stocktake_id,
                "asset_id": asset.id,
                "expected": False,
                "recorded_status": asset.status.value,
                "recorded_location_id": asset.location_id,
                "found_at": now,
                "found_by_id": actor.id,
            },
        )
        if made.first() is not None:  # None: someone else's scan made its line first
            newly_unexpected.add(asset.id)
    results = []
    for code, code_tags in named:
        for tag in code_tags:
            asset = assets[tag]
            if asset.id in newly_found:
                outcome, message = "found", f"{tag} {asset.type.value}: found"
            elif asset.id in newly_unexpected:
                outcome, message = "unexpected", f"{tag} {asset.type.value}: not expected here"
            else:
                outcome, message = "repeat", f"{tag} {asset.type.value}: already counted"
            results.append(ScanOutcome(code, tag, asset.type.value, outcome, message))
    return ScanAnswer(results, counts(stocktake_id))


# --- what the count shows ------------------------------------------------------------------------


@dataclass
class Counts:
    expected: int = 0
    found: int = 0
    missing: int = 0
    unexpected: int = 0


_found = LINES.c.found_at.is_not(None)
_COUNTS = sa.select(
    sa.func.count().filter(LINES.c.expected),
    sa.func.count().filter(LINES.c.expected, _found),
    sa.func.count().filter(LINES.c.expected, ~_found),
    sa.func.count().filter(~LINES.c.expected),
).where(LINES.c.stocktake_id == sa.bindparam("stocktake"))


def counts(stocktake_id: int) -> Counts:
    """The four numbers a live page shows, in one aggregate query."""
    return Counts(*db.session.execute(_COUNTS, {"stocktake": stocktake_id}).one())


@dataclass
class UnexpectedItem:
    """An item found here that was recorded elsewhere or in another state. A partner sees only the tag
    and type of one recorded at a location that is not theirs."""

    tag: str
    type: str
    status: str | None = None
    location: str | None = None
    location_name: str | None = None
    outcome: str | None = None
    outcome_note: str | None = None


@dataclass
class Settled:
    """What closing did about one line that needed something."""

    tag: str
    type: str
    outcome: str
    note: str | None = None


@dataclass
class StocktakeView:
    stocktake: Stocktake
    expected: list[str]
    found: list[str]
    missing: list[str]
    unexpected: list[str]
    unexpected_items: list[UnexpectedItem]
    counts: Counts
    outcomes: list[Settled] = field(default_factory=list)
    lines: list[StocktakeLine] = field(default_factory=list)  # for the report

    @property
    def id(self) -> int:
        return self.stocktake.id


def lines_of(stocktake: Stocktake) -> list[StocktakeLine]:
    return list(
        db.session.scalars(
            sa.select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id).order_by(StocktakeLine.id)
        )
    )


def view(stocktake: Stocktake, viewer: Actor) -> StocktakeView:
    lines = lines_of(stocktake)
    expected = [line for line in lines if line.expected]
    unexpected = [line for line in lines if not line.expected]
    items = [_unexpected_item(line, viewer) for line in unexpected]
    settled = [
        Settled(line.asset.tag, line.asset.type.value, line.outcome.value, _note_for(line, viewer))
        for line in lines
        if line.outcome is not None
    ]
    return StocktakeView(
        stocktake,
        expected=[line.asset.tag for line in expected],
        found=[line.asset.tag for line in expected if line.found_at is not None],
        missing=[line.asset.tag for line in expected if line.found_at is None],
        unexpected=[line.asset.tag for line in unexpected],
        unexpected_items=items,
        counts=Counts(
            len(expected),
            sum(1 for line in expected if line.found_at is not None),
            sum(1 for line in expected if line.found_at is None),
            len(unexpected),
        ),
        outcomes=settled,
        lines=lines,
    )


def _sees_whole(line: StocktakeLine, viewer: Actor) -> bool:
    """Whether the viewer may know where and in what state an unexpected item was recorded."""
    recorded = line.recorded_location
    return sees_organisation(recorded.organisation_id if recorded is not None else None, viewer)


def _note_for(line: StocktakeLine, viewer: Actor) -> str | None:
    return line.outcome_note if line.expected or _sees_whole(line, viewer) else None


def _unexpected_item(line: StocktakeLine, viewer: Actor) -> UnexpectedItem:
    asset = line.asset
    if not _sees_whole(line, viewer):
        return UnexpectedItem(asset.tag, asset.type.value)
    return UnexpectedItem(
        asset.tag,
        asset.type.value,
        status=line.recorded_status,
        location=line.recorded_location.code if line.recorded_location is not None else None,
        location_name=line.recorded_location.name if line.recorded_location is not None else None,
        outcome=line.outcome.value if line.outcome is not None else None,
        outcome_note=line.outcome_note,
    )


# --- closing --------------------------------------------------------------------------------------

LEFT_AS_CHOSEN = "left as recorded, as chosen at closing"


def close_stocktake(stocktake_id: int, missing: str, unexpected: str, actor: Actor, now: datetime) -> Stocktake:
    """Close the count and apply the chosen actions, each change with its event. An item whose state no
    longer allows the change (issued or moved since the count opened, say) is left as it is, with the
    reason on its line: the count closes either way, and the report says what was left and why. Items
    expected here that were missing and are found again go back into stock whatever the choices.
    Whoever may count a place may apply these (a partner at their own hub included: DESIGN.md lets them
    move here what they found there), and only through the transition table's rules."""
    missing_choice = MissingChoice(missing)
    unexpected_choice = UnexpectedChoice(unexpected)
    stocktake = get_stocktake(stocktake_id, actor, lock=True)
    _refuse_unless_open(stocktake)
    lines = lines_of(stocktake)
    _lock_assets_of(lines)
    closing = _Closing(stocktake, actor, {line.asset_id for line in lines if line.found_at is not None})
    for line in lines:
        if line.expected and line.found_at is not None:
            if line.asset.status == AssetStatus.MISSING:
                _settle(line, *closing.found_again(line.asset))
        elif line.expected:
            if missing_choice is MissingChoice.MARK_MISSING:
                _settle(line, *closing.mark_missing(line.asset))
            else:
                _settle(line, Outcome.LEFT, LEFT_AS_CHOSEN)
        elif unexpected_choice is UnexpectedChoice.MOVE_HERE:
            _settle(line, *closing.move_here(line.asset))
        else:
            _settle(line, Outcome.LEFT, LEFT_AS_CHOSEN)
    closing.empty_kits()
    stocktake.status = StocktakeStatus.CLOSED
    stocktake.closed_at = now
    stocktake.closed_by_id = actor.id
    stocktake.missing_choice = missing_choice
    stocktake.unexpected_choice = unexpected_choice
    db.session.flush()
    return stocktake


def _lock_assets_of(lines: list[StocktakeLine]) -> None:
    """Row-lock every asset the close may change, in id order (so two requests never deadlock), with
    fresh values: a move or issue committed since the count opened is seen."""
    ids = sorted({line.asset_id for line in lines})
    for start in range(0, len(ids), 1000):
        db.session.scalars(
            sa.select(Asset)
            .where(Asset.id.in_(ids[start : start + 1000]))
            .order_by(Asset.id)
            .with_for_update(of=Asset)
            .execution_options(populate_existing=True)
        ).all()


def _settle(line: StocktakeLine, outcome: Outcome, note: str | None = None) -> None:
    line.outcome = outcome
    line.outcome_note = note


class _Closing:
    """The changes one close makes, each asked of the one transition table (models.assets.RULES)."""

    def __init__(self, stocktake: Stocktake, actor: Actor, found_ids: set[int]):
        self.stocktake, self.actor, self.found_ids = stocktake, actor, found_ids
        self.here = stocktake.location
        self.kits_moved: set[int] = set()
        self.kits_losing_items: set[int] = set()

    def _event(self, before: Snapshot, action: str, kit_id: int | None = None) -> None:
        db.session.add(before.event(action, self.actor, details={"stocktake": self.stocktake.id}, kit_id=kit_id))

    def found_again(self, asset: Asset) -> tuple[Outcome, str | None]:
        before = Snapshot(asset)
        asset.move_to(self.here)  # a missing item moved is found (missing -> in_stock) where it is
        self._event(before, "found")
        return Outcome.FOUND, None

    def mark_missing(self, asset: Asset) -> tuple[Outcome, str | None]:
        if asset.location_id != self.here.id:
            where = asset.location.code if asset.location is not None else "no location"
            return Outcome.LEFT, f"not marked missing: it was recorded at {where} after the count began"
        if asset.status == AssetStatus.MISSING:
            return Outcome.LEFT, "it was already missing"
        reason = refusal_reason(AssetAction.MARK_MISSING, asset.status, in_kit=False)
        if reason is not None:
            return Outcome.LEFT, f"not marked missing: {reason}"
        before = Snapshot(asset)
        if asset.kit_id is not None:
            self.kits_losing_items.add(asset.kit_id)
        asset.go_missing()
        self._event(before, "missing")
        return Outcome.MARKED_MISSING, None

    def move_here(self, asset: Asset) -> tuple[Outcome, str | None]:
        if asset.location_id == self.here.id and asset.status in COUNTED:
            return Outcome.LEFT, "it is recorded here already"
        if asset.kit is not None and asset.status == AssetStatus.IN_KIT:
            return self._move_kit_here(asset)
        reason = refusal_reason(AssetAction.MOVE, asset.status, in_kit=False)
        if reason is not None and asset.status != AssetStatus.MISSING:
            return Outcome.LEFT, f"not moved: {reason}"
        before = Snapshot(asset)
        was_missing = asset.status == AssetStatus.MISSING
        asset.move_to(self.here)  # a missing one is found here
        self._event(before, "found" if was_missing else "move")
        return (Outcome.FOUND if was_missing else Outcome.MOVED_HERE), None

    def _move_kit_here(self, asset: Asset) -> tuple[Outcome, str | None]:
        """An item in a kit moves with its kit, and only when the whole kit was found here."""
        kit = asset.kit
        assert kit is not None
        if kit.id in self.kits_moved:
            return Outcome.MOVED_HERE, f"with its kit {kit.tag}"
        if not all(item.id in self.found_ids for item in kit.items) or not kit.can(KitAction.MOVE):
            return Outcome.LEFT, f"not moved: it is in kit {kit.tag}, and not all of the kit was found here"
        kit_before = Snapshot(kit)
        for item in kit.items:
            before = Snapshot(item)
            item.move_to(self.here, with_kit=True)
            self._event(before, "move")
        kit.location = self.here
        self._event(kit_before, "move")
        self.kits_moved.add(kit.id)
        return Outcome.MOVED_HERE, f"with its kit {kit.tag}"

    def empty_kits(self) -> None:
        """A kit whose last item went missing holds nothing together any more (KitAction.EMPTIED)."""
        db.session.flush()
        for kit in db.session.scalars(sa.select(Kit).where(Kit.id.in_(self.kits_losing_items))):
            if not kit.items and kit.can(KitAction.EMPTIED):
                before = Snapshot(kit)
                kit.apply(KitAction.EMPTIED)
                self._event(before, "emptied")


# --- the last count of each location --------------------------------------------------------------


@dataclass(frozen=True)
class LastCount:
    on: date | None  # the day the last stocktake there closed (UK time); None: never counted
    overdue: bool  # not counted for `days` days, or never


def last_counts(viewer: Actor, today: date, days: int) -> dict[str, LastCount]:
    """For every location the viewer may see, by code: when it was last counted and whether that is
    too long ago."""
    last = (
        sa.select(Stocktake.location_id, sa.func.max(Stocktake.closed_at).label("closed_at"))
        .where(Stocktake.status == StocktakeStatus.CLOSED)
        .group_by(Stocktake.location_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Location.code, Location.active, last.c.closed_at)
        .outerjoin(last, last.c.location_id == Location.id)
        .where(organisation_visible(Location.organisation_id, viewer))
    )
    answer = {}
    for code, active, closed_at in rows:
        on = as_utc(closed_at).astimezone(UK).date() if closed_at is not None else None
        # A deactivated place holds nothing (it cannot be deactivated otherwise), so it is never due a count.
        answer[code] = LastCount(on, active and (on is None or (today - on).days >= days))
    return answer


def due(viewer: Actor, today: date, days: int) -> dict[str, LastCount]:
    """The places the viewer may count that are due a stocktake: the same flag as the stock page's
    (last_counts), so the home page's count, the stocktakes page's list and the stock page agree."""
    return {code: last for code, last in last_counts(viewer, today, days).items() if last.overdue}


def is_open(stocktake: Stocktake) -> bool:
    return stocktake.status == StocktakeStatus.OPEN
