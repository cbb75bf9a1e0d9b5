"""Scanning: turn whatever a scanner or a person gives into an asset or kit, and what can be done next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa

from .. import tags as tag_rules
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import Asset, AssetStatus, Kit, KitStatus, User
from ..permissions import Permission, allowed, sees_everything
from .reference import own_location_ids

MAX_CODE_LENGTH = 300
_LABEL_PATH = re.compile(r"(?:^|/)a/([^/?#]+)/?$")
_DIGIT_NOISE = re.compile(r"[\s\-]")


@dataclass
class Scan:
    kind: str  # "asset" or "kit"
    thing: Asset | Kit
    matched_by: str  # "url", "tag", "serial", "imei" or "iccid"
    actions: list[str]


def _tag_in_url(code: str) -> str | None:
    """The tag in a label URL (PUBLIC_BASE_URL/a/TAG), with or without scheme and host."""
    if "/" not in code:
        return None
    path = urlsplit(code).path if "://" in code else code.split("?")[0].split("#")[0]
    match = _LABEL_PATH.search(path)
    return match.group(1) if match else None


def resolve(code: str, viewer: User) -> Scan:
    raw = (code or "").strip()
    if not raw:
        raise InvalidInput("Scan or type a code", {"code": ["A code is required."]})
    if len(raw) > MAX_CODE_LENGTH:
        raise InvalidInput("That code is too long to be a tag, serial, IMEI or ICCID",
                           {"code": [f"At most {MAX_CODE_LENGTH} characters."]})

    in_url = _tag_in_url(raw)
    tag = tag_rules.normalise(in_url if in_url is not None else raw)
    tag_error: tag_rules.TagError | None = None
    if in_url is not None or tag_rules.looks_like_tag(tag):
        try:
            tag_rules.check(tag)
        except tag_rules.TagError as exc:
            tag_error = exc
        else:
            found = _by_tag(tag, viewer)
            if found is not None:
                kind, thing = found
                return Scan(kind, thing, "url" if in_url is not None else "tag", actions_for(thing, viewer))
        if in_url is not None:
            # A label URL holds only a tag; it cannot be a serial number.
            if tag_error:
                raise InvalidInput(str(tag_error), {"code": [str(tag_error)]})
            raise NotFound(f"No asset or kit has tag {tag}")

    asset, matched_by = _by_identifier(raw, viewer)
    if asset is not None:
        return Scan("asset", asset, matched_by, actions_for(asset, viewer))
    if tag_error is not None:
        # It looked like a tag with a typo, and nothing else has that code: say so, never guess.
        raise InvalidInput(str(tag_error), {"code": [str(tag_error)]})
    raise NotFound(f"No asset or kit has the tag, serial number, IMEI or ICCID '{raw}'")


def _restrict(query, model, viewer: User):
    if not sees_everything(viewer.role):
        query = query.where(model.location_id.in_(own_location_ids(viewer)))
    return query


def _by_tag(tag: str, viewer: User):
    asset = db.session.scalar(_restrict(sa.select(Asset).where(Asset.tag == tag), Asset, viewer))
    if asset is not None:
        return "asset", asset
    kit = db.session.scalar(_restrict(sa.select(Kit).where(Kit.tag == tag), Kit, viewer))
    if kit is not None:
        return "kit", kit
    return None


def _by_identifier(raw: str, viewer: User) -> tuple[Asset | None, str]:
    serial = raw.upper()
    digits = _DIGIT_NOISE.sub("", raw)
    if digits.upper().endswith("F"):  # ICCID barcodes padded with F
        digits_no_pad = digits[:-1]
    else:
        digits_no_pad = digits
    conditions = [Asset.serial == serial]
    if digits.isdigit() and len(digits) == 15:
        conditions.append(Asset.imei == digits)
    if digits_no_pad.isdigit() and 18 <= len(digits_no_pad) <= 22:
        conditions.append(Asset.iccid == digits_no_pad)
    matches = list(db.session.scalars(_restrict(sa.select(Asset).where(sa.or_(*conditions)), Asset, viewer).limit(5)))
    if not matches:
        return None, ""
    if len(matches) > 1:
        raise Conflict(f"Several assets have the code '{raw}' ({', '.join(a.tag for a in matches)}): scan the tag instead")
    asset = matches[0]
    if asset.imei and asset.imei == digits:
        return asset, "imei"
    if asset.iccid and asset.iccid == digits_no_pad:
        return asset, "iccid"
    return asset, "serial"


def actions_for(thing: Asset | Kit, viewer: User) -> list[str]:
    """The actions this user may take on this asset or kit now: what a scan screen offers next."""
    actions: list[str] = []
    handles_stock = allowed(viewer.role, Permission.HANDLE_STOCK)
    if isinstance(thing, Kit):
        if handles_stock and thing.status == KitStatus.ASSEMBLED:
            actions += ["move", "dismantle"]
    elif handles_stock:
        if thing.can_move() and thing.kit_id is None:
            actions.append("move")
        if thing.status == AssetStatus.IN_STOCK and thing.kit_id is None:
            actions.append("build_kit")
        for action, status in (("quarantine", AssetStatus.QUARANTINE), ("restock", AssetStatus.IN_STOCK),
                               ("repair", AssetStatus.REPAIR), ("retire", AssetStatus.RETIRED)):
            # Leaving a kit is "dismantle" on the kit, not a restock of the item.
            if thing.can_become(status) and not (status == AssetStatus.IN_STOCK and thing.kit_id is not None):
                actions.append(action)
    if allowed(viewer.role, Permission.READ_HISTORY):
        actions.append("history")
    return actions
