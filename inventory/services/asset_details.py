"""Correcting what was recorded of an asset when it arrived: make, model, serial, condition grade, programme.
Checked by the same rules as receiving (asset_fields), with an event that says what changed from what."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import Actor, Asset, Snapshot
from . import asset_fields
from .assets import lock_assets
from .reference import programme_for_new

EDITABLE = ("make", "model", "serial", "condition", "programme")


def _current(asset: Asset) -> dict:
    """The asset's fields as receiving takes them."""
    shown = {}
    for name in asset_fields.FIELDS:
        value = getattr(asset, name)
        if name in ("programme", "location"):
            value = value.code if value is not None else None
        shown[name] = getattr(value, "value", value)
    return shown


def update_details(tag: str, changes: dict, actor: Actor) -> Asset:
    """Change any of EDITABLE (others are ignored); nothing changed writes nothing."""
    asset = lock_assets([tag], field="tag")[0]
    before = _current(asset)
    wanted = {k: v for k, v in changes.items() if k in EDITABLE}
    values, problems = asset_fields.clean(before | wanted)
    errors = {name: [message] for name, message in problems if name in wanted}
    if errors:
        raise InvalidInput(f"{asset.describe()}: some details are not right", errors)
    changed = {}
    for name in wanted:
        new = values[name]
        old = before[name]
        if (getattr(new, "value", new) or None) != (old or None):
            changed[name] = [old, getattr(new, "value", new)]
    if not changed:
        return asset
    snapshot = Snapshot(asset)
    # The programme is looked up before anything changes: a query after a change would flush it early,
    # outside the savepoint below, and a serial already taken would be a 500 instead of a 409.
    programme = (
        programme_for_new(values["programme"], "new assets") if "programme" in changed and values["programme"] else None
    )
    try:
        with db.session.begin_nested():
            for name in changed:
                if name == "programme":
                    asset.programme = programme
                else:
                    setattr(asset, name, values[name])
            db.session.flush()
    except IntegrityError:
        raise Conflict(f"{values['make']} already has an asset with serial number {values['serial']}") from None
    summary = ", ".join(f"{name} {old or '—'} → {new or '—'}" for name, (old, new) in changed.items())
    db.session.add(snapshot.event("details_changed", actor, note=summary[:500], details={"changed": changed}))
    db.session.flush()
    return asset
