"""Who may see which rows, written once: partners see only what is at their own organisation's
locations; advocates see only the participants on their own caseload. Every list, look-up, scan, page
and report narrows its query here (the role table itself is permissions.py)."""

from __future__ import annotations

import sqlalchemy as sa

from .extensions import db
from .models import Actor, Asset, AssetStatus, Location, Participant
from .permissions import sees_everything, whole_caseload


def organisation_visible(organisation_column, viewer: Actor):
    """A condition on a column holding an organisation's id (a location's, or an organisation's own):
    true for everyone who sees the network, and for partners only where it is their organisation."""
    if sees_everything(viewer.role):
        return sa.true()
    return organisation_column == viewer.organisation_id


def sees_organisation(organisation_id: int | None, viewer: Actor) -> bool:
    """The same rule for one row already read (the scan reads columns, not ORM objects)."""
    return sees_everything(viewer.role) or (organisation_id is not None and organisation_id == viewer.organisation_id)


def at_own_hubs(location_id: int | None, viewer: Actor) -> bool:
    """Whether a location is one of the viewer's organisation's (for partners; others see everywhere)."""
    if sees_everything(viewer.role):
        return True
    if location_id is None:
        return False
    return db.session.scalar(sa.select(Location.organisation_id).where(Location.id == location_id)) == (
        viewer.organisation_id
    )


NOT_AT_YOUR_HUBS = "{code} is not at your hubs"


def where_visible(query: sa.Select, location_column, viewer: Actor) -> sa.Select:
    """Limit a select of things that have a location (assets, kits) to what the viewer may see."""
    if sees_everything(viewer.role):
        return query
    own = sa.select(Location.id).where(Location.organisation_id == viewer.organisation_id)
    return query.where(location_column.in_(own))


def asset_visible(viewer: Actor):
    """A condition on assets: what the viewer may look up. Partners: what is at their own organisation's
    locations, and items on loan (which they may take back at their hubs, never learning to whom)."""
    if sees_everything(viewer.role):
        return sa.true()

    own = sa.select(Location.id).where(Location.organisation_id == viewer.organisation_id)
    return sa.or_(Asset.location_id.in_(own), Asset.status == AssetStatus.ON_LOAN)


def in_caseload(advocate_column, viewer: Actor):
    """A condition on a participant's advocate column: admins see everyone, advocates their own."""
    if whole_caseload(viewer.role):
        return sa.true()
    return advocate_column == viewer.id


def caseload_ids(viewer: Actor) -> sa.Select:
    """The ids of the participants the viewer may see, for narrowing rows that belong to them."""
    return sa.select(Participant.id).where(in_caseload(Participant.advocate_id, viewer))


def sees_participant(participant_id: int, viewer: Actor) -> bool:
    """Whether a row belonging to this participant (a loan, a data plan, a transfer) is the viewer's to see.
    Someone else's must answer exactly as one that does not exist: the same 404, the same message, no id."""
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(Participant.id == participant_id, in_caseload(Participant.advocate_id, viewer)))
        )
    )
