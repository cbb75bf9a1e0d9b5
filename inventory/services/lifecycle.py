"""Changes to one asset in the warehouse: move, quarantine, restock, repair, retire."""

from __future__ import annotations

from ..errors import InvalidInput
from ..extensions import db
from ..models import Asset, AssetStatus, Condition, RetireReason, Snapshot, User
from .assets import lock_assets
from .reference import find_location


def _one(tag: str) -> Asset:
    return lock_assets([tag], field="tag")[0]


def _finish(asset: Asset, before: Snapshot, action: str, actor: User, note: str | None, details=None) -> Asset:
    db.session.add(before.event(action, actor, note=note, details=details))
    db.session.commit()
    return asset


def move(tag: str, location: str, actor: User, note: str | None = None) -> Asset:
    asset = _one(tag)
    destination = find_location(location)
    before = Snapshot(asset)
    asset.move_to(destination)
    return _finish(asset, before, "move", actor, note)


def quarantine(tag: str, actor: User, *, location: str | None = None, note: str | None = None) -> Asset:
    asset = _one(tag)
    before = Snapshot(asset)
    asset.become(AssetStatus.QUARANTINE, "put in quarantine")
    if location:
        asset.location = find_location(location)
    return _finish(asset, before, "quarantine", actor, note)


def restock(tag: str, actor: User, *, location: str | None = None, wipe_certificate: str | None = None,
            condition: str | None = None, note: str | None = None) -> Asset:
    asset = _one(tag)
    before = Snapshot(asset)
    if not asset.can_become(AssetStatus.IN_STOCK):
        raise asset.refusal("restocked")
    if asset.needs_wipe_certificate and not (wipe_certificate or "").strip():
        raise InvalidInput(
            f"{asset.describe()} holds data: give the certificate of its data wipe to restock it",
            {"wipe_certificate": [f"Required to restock a {asset.type.value}."]})
    asset.become(AssetStatus.IN_STOCK, "restocked")
    if asset.needs_wipe_certificate:
        asset.wipe_certificate = wipe_certificate.strip()
    if condition:
        asset.condition = Condition(condition)
    if location:
        asset.location = find_location(location)
    details = {"wipe_certificate": asset.wipe_certificate} if wipe_certificate else None
    return _finish(asset, before, "restock", actor, note, details)


def repair(tag: str, actor: User, *, location: str | None = None, note: str | None = None) -> Asset:
    asset = _one(tag)
    before = Snapshot(asset)
    asset.become(AssetStatus.REPAIR, "sent for repair")
    if location:
        asset.location = find_location(location)
    return _finish(asset, before, "repair", actor, note)


def retire(tag: str, actor: User, *, reason: str, note: str | None = None) -> Asset:
    asset = _one(tag)
    before = Snapshot(asset)
    reason = RetireReason(reason)
    kit = asset.kit
    asset.become(AssetStatus.RETIRED, "retired")
    details = {"reason": reason.value}
    if kit is not None:
        # A retired item leaves its kit; the kit stays, one item short, for the warehouse to make up.
        asset.kit = None
        details["kit"] = kit.tag
    return _finish(asset, before, "retire", actor, note, details)
