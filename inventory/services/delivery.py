"""Delivery receipts from GOV.UK Notify: what became of each message, and an email where an SMS cannot arrive."""

from __future__ import annotations

import logging
import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Channel, DeliveryStatus, Notification, NotificationKind, Participant

log = logging.getLogger(__name__)

_REFERENCE = re.compile(r"^inventory-([0-9]{1,18})$")
# Reminders to a participant: an undeliverable SMS may be worth an email instead.
_TO_PARTICIPANT = frozenset({NotificationKind.PLAN_ENDING, NotificationKind.PLAN_ENDED, NotificationKind.RETURN_DUE})


def record_receipt(
    *, reference: str | None, provider_id: str | None, status: str, now: datetime
) -> Notification | None:
    """Record what Notify says became of one of our messages; None if it is not one of ours (nothing
    is stored). A permanent failure of an SMS to a participant who gave both a mobile number and an
    email address queues the same reminder by email, once."""
    row = _find(reference, provider_id)
    if row is None:
        log.info("delivery receipt for a message we do not know (status %s)", status)
        return None
    row.delivery_status = DeliveryStatus(status)
    row.delivery_reported_at = now
    if row.delivery_status == DeliveryStatus.PERMANENT_FAILURE and row.channel == Channel.SMS:
        _by_email_instead(row)
    db.session.flush()
    return row


def _find(reference: str | None, provider_id: str | None) -> Notification | None:
    match = _REFERENCE.match(reference or "")
    if match:
        row = db.session.get(Notification, int(match.group(1)), with_for_update=True)
        if row is not None:
            return row
    if provider_id:
        return db.session.scalar(
            sa.select(Notification).where(Notification.provider_id == provider_id[:64]).with_for_update()
        )
    return None


def _by_email_instead(row: Notification) -> None:
    if row.kind not in _TO_PARTICIPANT or row.participant_id is None:
        return
    person = db.session.get(Participant, row.participant_id)
    if person is None or person.erased_at is not None or not person.contact_consent or not person.email:
        return  # consented to the SMS only, or to nothing any more: nothing else to try
    fallback = Notification(
        key=f"{row.key}:email"[:120],
        kind=row.kind,
        channel=Channel.EMAIL,
        due_on=row.due_on,
        participant_id=row.participant_id,
        data_plan_id=row.data_plan_id,
        loan_id=row.loan_id,
        days_before=row.days_before,
    )
    try:
        with db.session.begin_nested():  # a second receipt for the same SMS finds it queued already
            db.session.add(fallback)
    except IntegrityError:
        pass
