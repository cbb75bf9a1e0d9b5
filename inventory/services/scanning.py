"""Scanning: turn whatever a scanner or a person gives into an asset or kit, and what can be done next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa

from .. import tags as tag_rules
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import (
    ASSET_ACTIONS,
    CONSIGNMENT_RULES,
    KIT_ACTIONS,
    Actor,
    Asset,
    AssetStatus,
    Consignment,
    ConsignmentAction,
    ConsignmentStatus,
    Kit,
    KitStatus,
    Location,
    Role,
)
from ..models.assets import allows
from ..models.kits import KIT_RULES
from ..permissions import Permission, allowed, may, sees_everything
from ..visibility import NOT_AT_YOUR_HUBS, organisation_visible, sees_organisation

MAX_CODE_LENGTH = 300
# Label QR codes hold the URL in capitals (QR alphanumeric mode), so /A/TAG as well as /a/TAG.
_LABEL_PATH = re.compile(r"(?:^|/)a/([^/?#]+)/?$", re.IGNORECASE)
_DIGIT_NOISE = re.compile(r"[\s\-]")


@dataclass
class Scan:
    """What a scan found: enough for a scan screen, read as columns (scans are the hottest path)."""

    kind: str  # "asset", "kit" or "consignment"
    tag: str
    type: str  # the asset's type, "kit" or "consignment"
    status: str
    location: str | None
    matched_by: str  # "url", "tag", "serial", "imei" or "iccid"
    actions: list[str]
    items: list[str] | None = None  # a kit's item tags


def _tag_in_url(code: str) -> str | None:
    """The tag in a label URL (PUBLIC_BASE_URL/a/TAG), with or without scheme and host."""
    if "/" not in code:
        return None
    path = urlsplit(code).path if "://" in code else code.split("?")[0].split("#")[0]
    match = _LABEL_PATH.search(path)
    return match.group(1) if match else None


def tag_in_code(code: str) -> str:
    """The tag a scanned code stands for, if it is a label URL or a tag (normalised; not checked)."""
    raw = (code or "").strip()
    in_url = _tag_in_url(raw)
    return tag_rules.normalise(in_url if in_url is not None else raw)


def resolve(code: str, viewer: Actor) -> Scan:
    raw = (code or "").strip()
    if not raw:
        raise InvalidInput("Scan or type a code", {"code": ["A code is required."]})
    if len(raw) > MAX_CODE_LENGTH:
        raise InvalidInput(
            "That code is too long to be a tag, serial, IMEI or ICCID",
            {"code": [f"At most {MAX_CODE_LENGTH} characters."]},
        )

    in_url = _tag_in_url(raw)
    tag = tag_rules.normalise(in_url if in_url is not None else raw)
    tag_error: tag_rules.TagError | None = None
    if in_url is not None or tag_rules.looks_like_tag(tag):
        try:
            tag_rules.check(tag)
        except tag_rules.TagError as exc:
            tag_error = exc
        else:
            found = _by_tag(tag, viewer, "url" if in_url is not None else "tag")
            if found is not None:
                return found
        if in_url is not None:
            # A label URL holds only a tag; it cannot be a serial number.
            if tag_error:
                raise InvalidInput(str(tag_error), {"code": [str(tag_error)]})
            raise _not_found(viewer, tag, f"No asset or kit has tag {tag}")

    found = _by_identifier(raw, viewer)
    if found is not None:
        return found
    if tag_error is not None:
        # It looked like a tag with a typo, and nothing else has that code: say so, never guess.
        raise InvalidInput(str(tag_error), {"code": [str(tag_error)]})
    raise _not_found(viewer, raw, f"No asset or kit has the tag, serial number, IMEI or ICCID '{raw}'")


def _not_found(viewer: Actor, code: str, message: str) -> NotFound:
    """A partner is told only that the thing is not at their hubs: never whether it exists, nor where
    it is (the same words for an item at another hub and for a tag nobody has)."""
    if not sees_everything(viewer.role):
        return NotFound(NOT_AT_YOUR_HUBS.format(code=code))
    return NotFound(message)


# Scans are the hottest path (every label a scanner reads), so their look-ups are prebuilt Core
# statements with a bound parameter: no statement building or ORM loading per request.
_assets_t, _locations_t = Asset.__table__, Location.__table__
_ASSET_SCAN = sa.select(
    _assets_t.c.tag,
    _assets_t.c.type,
    _assets_t.c.status,
    _assets_t.c.kit_id,
    _assets_t.c.serial,
    _assets_t.c.imei,
    _assets_t.c.iccid,
    _locations_t.c.code,
    _locations_t.c.organisation_id,
).select_from(_assets_t.outerjoin(_locations_t, _assets_t.c.location_id == _locations_t.c.id))
_BY_TAG = _ASSET_SCAN.where(_assets_t.c.tag == sa.bindparam("tag"))


def _visible_rows(rows, viewer: Actor):
    # Partners resolve what is at their own organisation's locations, and items on loan (which they may
    # take back at their hubs: they learn that it is on loan, never where from or to whom).
    return [
        r for r in rows if sees_organisation(r.organisation_id, viewer) or AssetStatus(r.status) == AssetStatus.ON_LOAN
    ]


def _assets(condition, viewer: Actor, limit: int):
    seen = sa.or_(
        organisation_visible(_locations_t.c.organisation_id, viewer), _assets_t.c.status == AssetStatus.ON_LOAN.value
    )
    query = _ASSET_SCAN.where(condition, seen).limit(limit)
    return db.session.execute(query).all()


def _asset_scan(row, matched_by: str, viewer: Actor) -> Scan:
    status = AssetStatus(row.status)
    return Scan(
        "asset",
        row.tag,
        row.type.value,
        status.value,
        row.code if sees_organisation(row.organisation_id, viewer) else None,
        matched_by,
        asset_actions(status, in_kit=row.kit_id is not None, viewer=viewer),
    )


def _by_tag(tag: str, viewer: Actor, matched_by: str) -> Scan | None:
    rows = _visible_rows(db.session.execute(_BY_TAG, {"tag": tag}).all(), viewer)
    if rows:
        return _asset_scan(rows[0], matched_by, viewer)
    query = (
        sa.select(Kit.id, Kit.tag, Kit.status, Location.code)
        .select_from(Kit)
        .outerjoin(Location, Kit.location_id == Location.id)
        .where(Kit.tag == tag, organisation_visible(Location.organisation_id, viewer))
    )
    kit = db.session.execute(query).one_or_none()
    if kit is None:
        return _consignment_by_tag(tag, viewer, matched_by)
    items = list(db.session.scalars(sa.select(Asset.tag).where(Asset.kit_id == kit.id).order_by(Asset.id)))
    status = KitStatus(kit.status)
    return Scan("kit", kit.tag, "kit", status.value, kit.code, matched_by, kit_actions(status, viewer), items)


def _consignment_by_tag(tag: str, viewer: Actor, matched_by: str) -> Scan | None:
    """A box label: consignments share the tag series. Partners see those to or from their hubs."""
    found = db.session.execute(
        sa.select(Consignment.tag, Consignment.status, Location.code, Location.organisation_id)
        .join(Location, Consignment.to_location_id == Location.id)
        .where(Consignment.tag == tag)
    ).one_or_none()
    if found is None:
        return None
    if not sees_organisation(found.organisation_id, viewer):
        source = db.session.scalar(
            sa.select(Location.organisation_id)
            .join(Consignment, Consignment.from_location_id == Location.id)
            .where(Consignment.tag == tag)
        )
        if not sees_organisation(source, viewer):
            return None
    status = ConsignmentStatus(found.status)
    return Scan(
        "consignment",
        found.tag,
        "consignment",
        status.value,
        found.code,
        matched_by,
        consignment_actions(status, viewer),
    )


def _by_identifier(raw: str, viewer: Actor) -> Scan | None:
    serial = raw.upper()
    digits = _DIGIT_NOISE.sub("", raw)
    unpadded = digits[:-1] if digits.upper().endswith("F") else digits  # ICCID barcodes padded with F
    conditions = [Asset.serial == serial]
    if digits.isdigit() and len(digits) == 15:
        conditions.append(Asset.imei == digits)
    if unpadded.isdigit() and 18 <= len(unpadded) <= 22:
        conditions.append(Asset.iccid == unpadded)
    rows = _assets(sa.or_(*conditions), viewer, 5)
    if not rows:
        return None
    if len(rows) > 1:
        raise Conflict(f"Several assets have the code '{raw}' ({', '.join(r.tag for r in rows)}): scan the tag instead")
    row = rows[0]
    matched_by = "imei" if row.imei == digits else "iccid" if row.iccid == unpadded else "serial"
    return _asset_scan(row, matched_by, viewer)


def asset_actions(status: AssetStatus, *, in_kit: bool, viewer: Actor) -> list[str]:
    """What this user may do to an asset in this state: what a scan screen and the asset page offer
    next, and by construction what the API then accepts (the same rule, models.assets.RULES)."""
    actions = [a.value for a in ASSET_ACTIONS if may(viewer.role, a) and allows(a, status, in_kit=in_kit)]
    if allowed(viewer.role, Permission.READ_HISTORY):
        actions.append("history")
    return actions


def consignment_actions(status: ConsignmentStatus, viewer: Actor) -> list[str]:
    """What a box label's scan offers: packing and dispatch for the warehouse, receiving at the hub."""
    needs = {
        ConsignmentAction.PACK: Permission.HANDLE_STOCK,
        ConsignmentAction.DISPATCH: Permission.HANDLE_STOCK,
        ConsignmentAction.RECEIVE: Permission.RECEIVE_CONSIGNMENT,
        ConsignmentAction.CLOSE: Permission.RECEIVE_CONSIGNMENT,
    }
    return [a.value for a, p in needs.items() if allowed(viewer.role, p) and status in CONSIGNMENT_RULES[a][0]]


def kit_actions(status: KitStatus, viewer: Actor) -> list[str]:
    actions = [a.value for a in KIT_ACTIONS if may(viewer.role, a) and status in KIT_RULES[a][0]]
    if allowed(viewer.role, Permission.READ_HISTORY):
        actions.append("history")
    return actions


@dataclass(frozen=True)
class _Network:
    """Someone who sees the whole network, for identify(): not a user, never an actor of a change."""

    id: int = 0
    role: Role = Role.WAREHOUSE
    organisation_id: int | None = None


def identify(code: str) -> Scan:
    """What a code names anywhere in the network, whoever scans it: the same reading of tags, label URLs,
    serials, IMEIs and ICCIDs as resolve(). A stocktake must recognise an item recorded at another
    organisation's location; what it then shows a partner of that item is its own business."""
    return resolve(code, _Network())
