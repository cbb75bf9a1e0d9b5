"""Found devices: what the public page a label opens may say (the programme and whom to call, nothing
else), the "I found this" reports it takes (rate limited per address), and the warehouse's list of them."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from .. import tags as tag_rules
from ..errors import InvalidInput, NotFound, TooManyAttempts
from ..extensions import db
from ..models import Actor, Asset, FoundReport, Kit, Snapshot, as_utc

REPORT_WINDOW = timedelta(hours=1)
WHERE_MAX, CONTACT_MAX = 300, 200


@dataclass(frozen=True)
class FoundView:
    """All a stranger holding the item learns: its tag (on the label anyway), its programme, a number."""

    tag: str
    programme_name: str | None
    contact_phone: str | None


def _thing(code: str) -> Asset | Kit:
    tag = tag_rules.normalise(code or "")
    try:
        tag_rules.check(tag)
    except tag_rules.TagError:
        raise NotFound("This label is not one of ours") from None
    found = db.session.scalar(sa.select(Asset).where(Asset.tag == tag)) or db.session.scalar(
        sa.select(Kit).where(Kit.tag == tag)
    )
    if found is None:
        raise NotFound("This label is not one of ours")
    return found


def public_view(code: str) -> FoundView:
    thing = _thing(code)
    programme = thing.programme
    return FoundView(
        tag=thing.tag,
        programme_name=programme.name if programme else None,
        contact_phone=programme.contact_phone if programme else None,
    )


def address_hash(address: str, secret: str) -> str:
    """A keyed hash of a network address: the same address counts together; the hash names nobody."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def report(
    code: str, *, where_found: str, contact: str | None, address_key: str, now: datetime, per_hour: int
) -> FoundReport:
    """Take an "I found this" report: stored for the warehouse, and an event in the item's ledger (without
    the finder's words, which may hold their details). At most `per_hour` reports an hour from one address."""
    thing = _thing(code)
    where, contact = (where_found or "").strip(), (contact or "").strip() or None
    errors = {}
    if not where:
        errors["where_found"] = ["Say where you found it, for example the street or the building."]
    elif len(where) > WHERE_MAX:
        errors["where_found"] = [f"At most {WHERE_MAX} characters."]
    if contact and len(contact) > CONTACT_MAX:
        errors["contact"] = [f"At most {CONTACT_MAX} characters."]
    if errors:
        raise InvalidInput("Tell us where you found it", errors)
    since = now - REPORT_WINDOW
    # Lock nothing: at worst two simultaneous reports from one address both pass, which is harmless.
    recent = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(FoundReport.at)).where(
            FoundReport.address_hash == address_key, FoundReport.at >= since
        )
    ).one()
    if recent[0] >= per_hour:
        wait = int((as_utc(recent[1]) + REPORT_WINDOW - now).total_seconds()) + 1
        raise TooManyAttempts("Thank you: we already have your reports. Please try again later.", wait)
    found = FoundReport(tag=thing.tag, where_found=where, finder_contact=contact, address_hash=address_key, at=now)
    db.session.add(found)
    db.session.flush()
    db.session.add(
        Snapshot(thing).event("reported_found", None, note=f"Someone who found it reported it (report {found.id})")
    )
    db.session.flush()
    return found


def open_reports(limit: int = 200) -> list[FoundReport]:
    """Reports not dealt with yet, oldest first: the warehouse's list."""
    query = sa.select(FoundReport).where(FoundReport.dealt_with_at.is_(None)).order_by(FoundReport.id)
    return list(db.session.scalars(query.limit(limit)))


def count_open() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(FoundReport.dealt_with_at.is_(None))) or 0


def deal_with(report_id: int, actor: Actor, now: datetime) -> FoundReport:
    """Mark a report dealt with (the item collected, the finder called back). Twice is harmless."""
    found = db.session.scalar(
        sa.select(FoundReport)
        .where(FoundReport.id == report_id)
        .with_for_update(of=FoundReport)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("No found-device report with this id")
    if found.dealt_with_at is None:
        found.dealt_with_at, found.dealt_with_by_id = now, actor.id
        db.session.flush()
    return found
