"""Reading the reminders outbox: all of it for admins, their own caseload's (and own digests) for advocates;
and deleting what was sent long ago."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import Actor, DataPlan, Notification, NotificationKind, NotificationStatus
from ..permissions import whole_caseload
from ..visibility import caseload_ids


def _conditions(participant: int | None, status: str | None, after: int | None) -> list:
    conditions = []
    if after is not None:
        conditions.append(Notification.id < after)
    if participant:
        conditions.append(Notification.participant_id == participant)
    if status:
        conditions.append(Notification.status == NotificationStatus(status))
    return conditions


def outbox_ids(
    viewer: Actor, *, participant: int | None = None, status: str | None = None, after: int | None = None
) -> sa.Select | sa.CompoundSelect:
    """The ids of the viewer's outbox rows that match (below the id `after`, for keyset paging): its
    size is the list's count. For an advocate, a union of two look-ups answered from indexes alone:
    `participant_id IN (...) OR advocate_id = ...` would use neither index and read the whole outbox."""
    conditions = _conditions(participant, status, after)
    ids = sa.select(Notification.id)
    if whole_caseload(viewer.role):
        return ids.where(*conditions)
    # Their caseload's reminders, and the digests sent to them.
    return sa.union(
        ids.where(Notification.participant_id.in_(caseload_ids(viewer)), *conditions),
        ids.where(Notification.advocate_id == viewer.id, *conditions),
    )


def outbox_query(
    viewer: Actor, *, participant: int | None = None, status: str | None = None, after: int | None = None
) -> sa.Select:
    """Newest first (from after the id `after`, that is below it, for keyset paging)."""
    query = sa.select(Notification)
    if whole_caseload(viewer.role):
        query = query.where(*_conditions(participant, status, after))
    else:
        query = query.where(
            Notification.id.in_(outbox_ids(viewer, participant=participant, status=status, after=after))
        )
    return query.order_by(Notification.id.desc())


def outbox_counts(viewer: Actor) -> dict[str, int]:
    """How many of the viewer's outbox rows there are of each status. An advocate's from the indexes alone
    (their caseload's ids; each row's id and status by participant or by advocate), never the rows."""
    if whole_caseload(viewer.role):
        query = sa.select(Notification.status, sa.func.count()).group_by(Notification.status)
    else:
        mine = sa.union(
            sa.select(Notification.id, Notification.status).where(
                Notification.participant_id.in_(caseload_ids(viewer))
            ),
            sa.select(Notification.id, Notification.status).where(Notification.advocate_id == viewer.id),
        ).subquery()
        query = sa.select(mine.c.status, sa.func.count()).group_by(mine.c.status)
    return {getattr(status, "value", status): n for status, n in db.session.execute(query)}


# After this many days past its plan's end a plan reminder's band has closed (reminders.ENDED_GRACE_DAYS
# and a day), so no sweep can queue it again once it is deleted.
_BAND_CLOSED_DAYS = 8
PURGE_BATCH = 5000


def purge_sent(*, now: datetime, today: date, older_than_days: int) -> int:
    """Delete sent reminders older than `older_than_days` (a batch at a time, oldest first; the job runs
    again tomorrow). Never one whose key a sweep could still queue again: an assessment reminder (its
    key is the participant's, for good) or a plan reminder whose band is still open."""
    cutoff = now - timedelta(days=older_than_days)
    band_closed = sa.select(DataPlan.id).where(DataPlan.ends_on < today - timedelta(days=_BAND_CLOSED_DAYS))
    old = (
        sa.select(Notification.id)
        .where(
            Notification.status == NotificationStatus.SENT,
            Notification.sent_at < cutoff,
            Notification.kind != NotificationKind.ASSESSMENT_DUE,
            sa.or_(Notification.data_plan_id.is_(None), Notification.data_plan_id.in_(band_closed)),
        )
        .order_by(Notification.sent_at)
        .limit(PURGE_BATCH)
    )
    ids = list(db.session.scalars(old))
    if ids:
        db.session.execute(
            sa.delete(Notification).where(Notification.id.in_(ids)).execution_options(synchronize_session=False)
        )
    return len(ids)
