"""Each programme's loan agreement, in versions: admins add a new text, the newest is the one people accept."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import Actor, Agreement, OwnershipRule, Programme, text_sha256

MAX_TEXT = 20_000  # characters: several pages of a PDF, far more than any agreement needs
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # line breaks and tabs are kept


def default_text(programme: Programme) -> str:
    """Version 1 of a new programme's agreement, from its rules, until an admin writes their own."""
    if programme.ownership_rule == OwnershipRule.ON_ASSESSMENT_PASS:
        keep = (
            f"It stays the programme's until you pass the {programme.assessment_name} assessment, "
            "when it becomes yours."
        )
    elif programme.ownership_rule == OwnershipRule.ON_ISSUE:
        keep = "It becomes yours today, when you receive it."
    else:
        keep = "It stays the programme's, and you give it back when the programme asks."
    return (
        f"The equipment listed is lent to you by {programme.name}. {keep} "
        f"The SIM's free data lasts {programme.connectivity_months} months; we will remind you before it ends. "
        "Look after the equipment, do not sell or lend it, and tell your advocate at once if it is lost, "
        "stolen or stops working."
    )


def add_version(programme: Programme, text: str, actor: Actor | None, today: date) -> Agreement:
    """A new current version of the programme's agreement. The exact text is kept, with its sha256."""
    if not text.strip():
        raise InvalidInput("The agreement text is empty", {"text": ["Write the agreement's text."]})
    if _CONTROL.search(text):
        raise InvalidInput(
            "The agreement text holds a control character", {"text": ["Must not contain control characters."]}
        )
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"The agreement text is longer than {MAX_TEXT} characters", {"text": [f"At most {MAX_TEXT} characters."]}
        )
    # Two admins saving at once: the programme's row lock puts them in line, so versions are 1, 2, 3...
    db.session.execute(sa.select(Programme.id).where(Programme.id == programme.id).with_for_update())
    latest = db.session.scalar(sa.select(sa.func.max(Agreement.version)).where(Agreement.programme_id == programme.id))
    agreement = Agreement(
        programme_id=programme.id,
        version=(latest or 0) + 1,
        text=text,
        sha256=text_sha256(text),
        created_on=today,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def versions(programme: Programme) -> list[Agreement]:
    """The programme's agreement texts, newest (the current one) first."""
    query = sa.select(Agreement).where(Agreement.programme_id == programme.id).order_by(Agreement.version.desc())
    return list(db.session.scalars(query))


def current(programme: Programme) -> Agreement:
    found = db.session.scalar(
        sa.select(Agreement).where(Agreement.programme_id == programme.id).order_by(Agreement.version.desc()).limit(1)
    )
    if found is None:  # every programme gets version 1 when it is created (and from the migration)
        raise Conflict(f"Programme {programme.code} has no loan agreement: an admin must add one first")
    return found


def check_shown(agreement: Agreement, shown: int | None) -> None:
    """The participant accepted the text they were shown: if an admin added a new version since the
    page was opened (or the offline form was filled in), they must see the new one."""
    if shown is not None and shown != agreement.version:
        raise Conflict(
            f"The loan agreement has changed: version {agreement.version} is current, and the participant "
            f"was shown version {shown}. Show them the current text and ask again",
            {"agreement_version": [f"Version {agreement.version} is current."]},
        )
