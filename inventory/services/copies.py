"""Copies of their paperwork for the participant: the handover record when kit is issued, the ownership
certificate when it becomes theirs. Queued in the outbox in the same transaction (so a loan that rolls
back sends nothing), sent by the outbox's sender like any reminder: by email as a file through GOV.UK
Notify, or, for someone without an email address, a short SMS note (never a link: the file is theirs
only by email, where Notify asks for their address before it opens). What is sent, and to whom, is
decided at send time (services.messages), so withdrawn consent or erasure stops it."""

from __future__ import annotations

from datetime import date

from flask import current_app

from ..extensions import db
from ..models import Channel, Notification, NotificationKind, Participant


def queue(kind: NotificationKind, participant: Participant, today: date, *, loan_id=None, transfer_id=None) -> None:
    if not current_app.config["PAPERWORK_COPIES"] or participant.erased or not participant.contact_consent:
        return
    channel = Channel.EMAIL if participant.email else Channel.SMS if participant.phone else None
    if channel is None:
        return
    document = f"loan:{loan_id}" if loan_id is not None else f"transfer:{transfer_id}"
    db.session.add(
        Notification(
            key=f"copy:{kind.value}:{document}",
            kind=kind,
            channel=channel,
            due_on=today,
            participant_id=participant.id,
            loan_id=loan_id,
            transfer_id=transfer_id,
        )
    )
