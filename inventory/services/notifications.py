"""Reading the reminders outbox: all of it for admins, their own caseload's (and own digests) for advocates."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import Actor, Notification, NotificationStatus
from ..permissions import whole_caseload
from ..visibility import caseload_ids


def outbox_query(viewer: Actor, *, participant: int | None = None, status: str | None = None) -> sa.Select:
    query = sa.select(Notification)
    if not whole_caseload(viewer.role):  # their caseload's reminders, and the digests sent to them
        query = query.where(
            sa.or_(Notification.participant_id.in_(caseload_ids(viewer)), Notification.advocate_id == viewer.id)
        )
    if participant:
        query = query.where(Notification.participant_id == participant)
    if status:
        query = query.where(Notification.status == NotificationStatus(status))
    return query.order_by(Notification.id.desc())
