"""The reference-data audit trail: writing a row beside each edit, deactivation or reactivation of a
programme, organisation, location or kit template (in the change's own transaction), and reading it back."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from ..errors import InvalidInput
from ..extensions import db
from ..models import Actor, ReferenceAction, ReferenceChange
from .cursors import Key, after_key

# Each row is also one log line (for a council's log collection), naming no one but the member of staff.
audit = logging.getLogger("inventory.audit")

KINDS = ("programme", "organisation", "location", "kit-template")


def record(
    kind: str, code: str, action: ReferenceAction, actor: Actor | None, changes: dict, note: str | None = None
) -> ReferenceChange:
    """Add the row (flushed with the change it describes; the entry point commits both or neither)."""
    row = ReferenceChange(
        kind=kind,
        code=code,
        action=action,
        user_id=actor.id if actor is not None and actor.id else None,
        changes=changes,
        note=note[:300] if note else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.info(
        "%s %s %s by user %s: %s%s",
        kind,
        code,
        action.value,
        row.user_id,
        sorted(changes),
        f" ({note})" if note else "",
    )
    return row


def change_query(
    *, kind: str | None = None, code: str | None = None, after: tuple[Key, int] | None = None
) -> sa.Select:
    """The trail, newest first, narrowed to one kind and one record's code; `after`: the (change_key, id)
    of the row a page ended at (paging by key, by the index on (at, id))."""
    query = sa.select(ReferenceChange)
    if kind:
        if kind not in KINDS:
            raise InvalidInput(f"'{kind}' is not a kind of reference data", {"kind": [f"One of {', '.join(KINDS)}."]})
        query = query.where(ReferenceChange.kind == kind)
    if code:
        query = query.where(ReferenceChange.code == code.strip().upper())
    if after is not None:
        key, last_id = after
        query = query.where(after_key([ReferenceChange.at], key, last_id, ReferenceChange.id, descending=True))
    return query.order_by(ReferenceChange.at.desc(), ReferenceChange.id.desc())


def change_key(row: ReferenceChange) -> tuple[datetime]:
    """The trail's sort key (with the id, where the next page starts)."""
    return (row.at,)
