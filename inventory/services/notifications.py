"""Reading the reminders outbox: all of it for admins, their own caseload's (and own digests) for advocates;
and deleting what was sent long ago."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import NOT_DELIVERED, Actor, DataPlan, Notification, NotificationKind, NotificationStatus, Participant
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


def _arms(viewer: Actor) -> tuple:
    """An advocate's outbox as two conditions that never both hold, each one index range: the rows about
    their caseload's participants, and the rows sent to them about anyone else (or nobody: digests).
    `participant_id IN (caseload) OR advocate_id = …` would use neither index, and the caseload's look-up
    alone grows with the caseload."""
    mine = Notification.caseload_advocate_id == viewer.id
    others = sa.or_(Notification.caseload_advocate_id.is_(None), Notification.caseload_advocate_id != viewer.id)
    return mine, sa.and_(Notification.advocate_id == viewer.id, others)


def outbox_ids(
    viewer: Actor,
    *,
    participant: int | None = None,
    status: str | None = None,
    after: int | None = None,
    undelivered: bool = False,
) -> sa.Select | sa.CompoundSelect:
    """The ids of the viewer's outbox rows that match (below the id `after`, for keyset paging): its
    size is the list's count, read from the indexes alone."""
    conditions = _conditions(participant, status, after, undelivered)
    ids = sa.select(Notification.id)
    if whole_caseload(viewer.role):
        return ids.where(*conditions)
    return sa.union_all(*(ids.where(arm, *conditions) for arm in _arms(viewer)))


def outbox_query(
    viewer: Actor,
    *,
    participant: int | None = None,
    status: str | None = None,
    after: int | None = None,
    undelivered: bool = False,
) -> sa.Select:
    """Newest first (from after the id `after`, that is below it, for keyset paging); `undelivered`:
    only what Notify could not deliver. An advocate's is the two arms' rows merged newest first, so a
    page reads its own rows from each index and no more. Add no conditions to it: ask here."""
    conditions = _conditions(participant, status, after, undelivered)
    if whole_caseload(viewer.role):
        return sa.select(Notification).where(*conditions).order_by(Notification.id.desc())
    rows = sa.union_all(*(sa.select(Notification).where(arm, *conditions) for arm in _arms(viewer))).subquery()
    mine = aliased(Notification, rows)
    return sa.select(mine).order_by(mine.id.desc())


def outbox_counts(viewer: Actor) -> dict[str, int]:
    """How many of the viewer's outbox rows there are of each status. An advocate's from the indexes alone
    (each row's id and status, by caseload or by addressee), never the rows."""
    if whole_caseload(viewer.role):
        query = sa.select(Notification.status, sa.func.count()).group_by(Notification.status)
    else:
        mine = sa.union_all(
            *(sa.select(Notification.id, Notification.status).where(arm) for arm in _arms(viewer))
        ).subquery()
        query = sa.select(mine.c.status, sa.func.count()).group_by(mine.c.status)
    return {getattr(status, "value", status): n for status, n in db.session.execute(query)}


def caseload_of(participant_id: int) -> int | None:
    """The participant's advocate, for a row being queued about them. Read FOR SHARE: a reassignment at the
    same moment either waits for the row to be written, and moves it, or is waited for and copied."""
    return db.session.scalar(
        sa.select(Participant.advocate_id).where(Participant.id == participant_id).with_for_update(read=True)
    )


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
