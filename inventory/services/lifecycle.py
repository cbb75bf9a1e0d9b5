"""Changes to one asset in the warehouse: move, quarantine, restock, repair, retire."""

from __future__ import annotations

from ..errors import InvalidInput
from ..extensions import db
from ..models import Actor, Asset, AssetAction, Condition, RetireReason, Snapshot
from .assets import lock_assets
from .reference import find_location


def _choice(kind, value, field: str):
    """An enum value from a person's input, or a clear error naming the choices (pages send raw text)."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(k.value for k in kind)
        raise InvalidInput(f"Choose a {field}: one of {choices}", {field: [f"One of: {choices}."]}) from None


def _one(tag: str) -> Asset:
    return lock_assets([tag], field="tag")[0]


def _finish(asset: Asset, before: Snapshot, action: str, actor: Actor, note: str | None, details=None) -> Asset:
    db.session.add(before.event(action, actor, note=note, details=details))
    db.session.flush()
    return asset


def move(tag: str, location: str, actor: Actor, note: str | None = None) -> Asset:
    asset = _one(tag)
    destination = find_location(location)
    before = Snapshot(asset)
    asset.move_to(destination)
    return _finish(asset, before, "move", actor, note)


def _set_aside(tag: str, actor: Actor, action: AssetAction, location: str | None, note: str | None) -> Asset:
    """Quarantine or repair: a change of state, and perhaps of place (the repair bench, the quarantine shelf)."""
    asset = _one(tag)
    destination = find_location(location) if location else None
    before = Snapshot(asset)
    asset.apply(action)
    if destination is not None:
        asset.location = destination
    return _finish(asset, before, asset.status.value, actor, note)


def quarantine(tag: str, actor: Actor, *, location: str | None = None, note: str | None = None) -> Asset:
    return _set_aside(tag, actor, AssetAction.QUARANTINE, location, note)


def restock(
    tag: str,
    actor: Actor,
    *,
    location: str | None = None,
    wipe_certificate: str | None = None,
    condition: str | None = None,
    note: str | None = None,
) -> Asset:
    asset = _one(tag)
    before = Snapshot(asset)
    asset.check(AssetAction.RESTOCK)
    if asset.needs_wipe_certificate and not (wipe_certificate or "").strip():
        raise InvalidInput(
            f"{asset.describe()} holds data: give the certificate of its data wipe to restock it",
            {"wipe_certificate": [f"Required to restock a {asset.type.value}."]},
        )
    asset.apply(AssetAction.RESTOCK)
    if asset.needs_wipe_certificate:
        asset.wipe_certificate = (wipe_certificate or "").strip()  # not empty: checked above
    if condition:
        asset.condition = _choice(Condition, condition, "condition")
    if location:
        asset.location = find_location(location)
    details = {"wipe_certificate": asset.wipe_certificate} if wipe_certificate else None
    return _finish(asset, before, "restock", actor, note, details)


def repair(tag: str, actor: Actor, *, location: str | None = None, note: str | None = None) -> Asset:
    return _set_aside(tag, actor, AssetAction.REPAIR, location, note)


def retire(tag: str, actor: Actor, *, reason: str, note: str | None = None) -> Asset:
    asset = _one(tag)
    before = Snapshot(asset)
    chosen = _choice(RetireReason, reason, "reason")
    kit = asset.kit
    asset.apply(AssetAction.RETIRE)
    details = {"reason": chosen.value}
    if kit is not None:
        # A retired item leaves its kit; the kit stays, one item short, for the warehouse to make up.
        asset.kit = None
        details["kit"] = kit.tag
    return _finish(asset, before, "retire", actor, note, details)
