"""One action on a batch of scanned items, all or nothing: the scan station's move, restock and receive.

Every item is locked first (in id order, so two stations working on overlapping batches never deadlock),
then each is tried in turn; if any is refused, nothing is stored and every refusal is reported by tag,
so the person at the station can take those items out of the batch and go again."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..errors import Conflict, DomainError, InvalidInput
from ..extensions import db
from ..models import Actor, Kit
from . import kits, lifecycle, returns
from .assets import checked_tag, lock_assets
from .reference import find_location

ACTIONS = ("move", "restock", "return")
MAX_BATCH = 500


class BatchRefused(Conflict):
    """Some items of the batch cannot take the action; nothing was done. `refusals` maps tag to why."""

    def __init__(self, action: str, refusals: dict[str, str], size: int):
        count = len(refusals)
        super().__init__(
            f"{count} of {size} item{'s' if size != 1 else ''} cannot be {_PAST[action]}; nothing was changed",
            [{"item": tag, "message": message} for tag, message in refusals.items()],
        )
        self.refusals = refusals


_PAST = {"move": "moved", "restock": "restocked", "return": "received back"}


def apply(
    action: str,
    tags: list[str],
    actor: Actor,
    *,
    today: date,
    location: str | None = None,
    wipe_certificate: str | None = None,
    note: str | None = None,
) -> int:
    """Do `action` to every tag (assets; kits too for a move), all or none. Returns how many."""
    if action not in ACTIONS:
        raise InvalidInput(f"Unknown batch action '{action}'", {"action": [f"One of: {', '.join(ACTIONS)}."]})
    wanted = [checked_tag(t, "items") for t in tags]
    if not wanted:
        raise InvalidInput("Scan something first: the batch is empty", {"items": ["At least one tag."]})
    if len(wanted) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} items at a time", {"items": [f"At most {MAX_BATCH}."]})
    if action in ("move", "return"):
        if not location:
            raise InvalidInput("Choose a location", {"location": ["Required."]})
        find_location(location, what="take items moved or returned to it")  # one error, not one per item
    kit_tags = set(db.session.scalars(sa.select(Kit.tag).where(Kit.tag.in_(wanted)))) if action == "move" else set()
    lock_assets([t for t in wanted if t not in kit_tags])

    place = location or ""  # only a move or a return uses it, and both required it above
    refusals: dict[str, str] = {}
    for tag in wanted:
        try:
            if tag in kit_tags:
                kits.move_kit(tag, place, actor, note=note)
            elif action == "move":
                lifecycle.move(tag, place, actor, note)
            elif action == "restock":
                lifecycle.restock(tag, actor, wipe_certificate=wipe_certificate, note=note)
            else:
                returns.return_asset(tag, actor, location=place, today=today, note=note)
        except DomainError as refused:
            refusals[tag] = refused.message
    if refusals:  # the entry point rolls back what the accepted items did
        raise BatchRefused(action, refusals, len(wanted))
    return len(wanted)
