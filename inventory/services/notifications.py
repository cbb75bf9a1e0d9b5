"""Reading the reminders outbox: all of it for admins, their own caseload's (and own digests) for advocates;
and deleting what was sent long ago."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import NOT_DELIVERED, Actor, DataPlan, Notification, NotificationKind, NotificationStatus
from ..permissions import whole_caseload


def _conditions(participant: int | None, status: str | None, after: int | None, undelivered: bool) -> list:
    conditions = []
    if after is not None:
        conditions.append(Notification.id < after)
    if participant:
        conditions.append(Notification.participant_id == participant)
    if status:
        conditions.append(Notification.status == NotificationStatus(status))
    if undelivered:
        conditions.append(Notification.delivery_status.in_(NOT_DELIVERED))
    return conditions


def _mine(viewer: Actor) -> list:
    """An advocate's outbox: one index range (Notification.outbox_advocate_id says why). Admins see it all."""
    return [] if whole_caseload(viewer.role) else [Notification.outbox_advocate_id == viewer.id]


def outbox_ids(
    viewer: Actor,
    *,
    participant: int | None = None,
    status: str | None = None,
    after: int | None = None,
    undelivered: bool = False,
) -> sa.Select:
    """The ids of the viewer's outbox rows that match (below the id `after`, for keyset paging): its
    size is the list's count, read from the index alone."""
    return sa.select(Notification.id).where(*_mine(viewer), *_conditions(participant, status, after, undelivered))


def outbox_query(
    viewer: Actor,
    *,
    participant: int | None = None,
    status: str | None = None,
    after: int | None = None,
    undelivered: bool = False,
) -> sa.Select:
    """Newest first (from after the id `after`, that is below it, for keyset paging); `undelivered`:
    only what Notify could not deliver."""
    conditions = _conditions(participant, status, after, undelivered)
    return sa.select(Notification).where(*_mine(viewer), *conditions).order_by(Notification.id.desc())


def outbox_counts(viewer: Actor) -> dict[str, int]:
    """How many of the viewer's outbox rows there are of each status: from the index alone, never the rows."""
    query = sa.select(Notification.status, sa.func.count()).where(*_mine(viewer)).group_by(Notification.status)
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
