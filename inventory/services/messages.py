"""What each reminder says and to whom, worked out when it is sent (never stored in the outbox), so a
participant who withdrew consent or was erased in the meantime gets nothing."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import DataPlan, Loan, Notification, NotificationKind, NotificationStatus, Participant, Transfer, User
from ..notifiers import Message
from . import certificates, handovers

DOCUMENTS = {NotificationKind.HANDOVER: "handover record", NotificationKind.CERTIFICATE: "certificate of ownership"}


class NoRecipient(Exception):
    """Nobody to send it to any more; the message says why."""


def _long_date(day: date) -> str:
    return day.strftime("%-d %B %Y")


def _overtaken(row: Notification) -> bool:
    """A reminder held up by retries must not arrive after a later one ("ends in 30 days" after
    "has ended")."""
    return (
        db.session.execute(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(
                Notification.data_plan_id == row.data_plan_id,
                Notification.days_before < row.days_before,
                Notification.status.in_([NotificationStatus.SENT, NotificationStatus.SENDING]),
            )
        ).scalar_one()
        > 0
    )


def _loan_due(row: Notification) -> Loan:
    """The loan a return-date reminder is about, if it still matters: something is still out, and no
    later reminder about it ("due today" after "due in a week") has gone out."""
    loan = db.session.get_one(Loan, row.loan_id)  # loans are never deleted
    if not loan.outstanding():
        raise NoRecipient("everything on the loan has come back")
    later = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(
            Notification.loan_id == row.loan_id,
            Notification.kind == row.kind,
            Notification.days_before < row.days_before,
            Notification.status.in_([NotificationStatus.SENT, NotificationStatus.SENDING]),
        )
    )
    if later:
        raise NoRecipient("a later reminder about the same loan has gone out already")
    return loan


def _document(row: Notification) -> Message:
    """A copy of their handover record or certificate: the PDF as a file by email (GOV.UK Notify's
    send-a-file: they confirm their address before it downloads), or a short note by SMS, with no link."""
    participant = db.session.get_one(Participant, row.participant_id)
    if participant.erased_at is not None:
        raise NoRecipient("the participant's personal data has been erased")
    if not participant.contact_consent:
        raise NoRecipient("the participant no longer consents to be contacted")
    what = DOCUMENTS[row.kind]
    personalisation: dict = {"programme": participant.programme.name, "document": what}
    if row.channel == "sms":
        if not participant.phone:
            raise NoRecipient("the participant has no mobile number")
        return Message(row.kind.value, "sms", participant.phone, personalisation, row.reference)
    if not participant.email:
        raise NoRecipient("the participant has no email address")
    if row.kind == NotificationKind.HANDOVER:
        pdf, filename = handovers.handover_pdf(db.session.get_one(Loan, row.loan_id)), f"handover-{row.loan_id}.pdf"
    else:
        transfer = db.session.get_one(Transfer, row.transfer_id)
        pdf, filename = certificates.certificate_pdf(transfer), f"certificate-{transfer.id}.pdf"
    personalisation["link_to_file"] = {
        "file": base64.b64encode(pdf).decode("ascii"),
        "filename": filename,
        "is_csv": False,
        "confirm_email_before_download": True,
        "retention_period": current_app.config["NOTIFY_FILE_RETENTION"],
    }
    return Message(row.kind.value, "email", participant.email, personalisation, row.reference)


def build(row: Notification, *, next_steps: str, today: date) -> Message:
    if row.kind in DOCUMENTS:
        return _document(row)
    if row.kind == NotificationKind.RETURN_DUE:
        person = db.session.get_one(Participant, row.participant_id)
        if person.erased_at is not None:
            raise NoRecipient("the participant's personal data has been erased")
        if not person.contact_consent:
            raise NoRecipient("the participant no longer consents to be contacted")
        loan = _loan_due(row)
        to = person.phone if row.channel == "sms" else person.email
        if not to:
            raise NoRecipient(f"the participant has no {'mobile number' if row.channel == 'sms' else 'email address'}")
        assert loan.due_on is not None  # only loans with a return date are reminded
        personalisation = {"programme": person.programme.name, "due_date": _long_date(loan.due_on)}
        return Message(row.kind.value, row.channel.value, to, personalisation, row.reference)
    if row.kind in (NotificationKind.PLAN_ENDING, NotificationKind.PLAN_ENDED):
        participant = db.session.get(Participant, row.participant_id)
        plan = db.session.get(DataPlan, row.data_plan_id)
        if participant is None or participant.erased_at is not None:
            raise NoRecipient("the participant's personal data has been erased")
        if not participant.contact_consent:
            raise NoRecipient("the participant no longer consents to be contacted")
        assert plan is not None  # a plan's reminder names it, and plans are never deleted
        if plan.ended_on is not None:
            raise NoRecipient("the SIM came back, so the plan has ended")
        if _overtaken(row):
            raise NoRecipient("a later reminder about the same plan has gone out already")
        to = participant.phone if row.channel == "sms" else participant.email
        if not to:
            raise NoRecipient(f"the participant has no {'mobile number' if row.channel == 'sms' else 'email address'}")
        personalisation = {
            "programme": participant.programme.name,
            "end_date": _long_date(plan.ends_on),
            "days_left": str(plan.days_left(today)),
        }
        if row.kind == NotificationKind.PLAN_ENDED:
            personalisation["next_steps"] = next_steps
        return Message(row.kind.value, row.channel.value, to, personalisation, row.reference)

    advocate = db.session.get(User, row.advocate_id)
    if advocate is None or not advocate.active:
        raise NoRecipient("the advocate's account is closed")
    if row.kind == NotificationKind.ADVOCATE_RETURN:
        whose = db.session.get_one(Participant, row.participant_id)
        loan = _loan_due(row)
        assert loan.due_on is not None  # only loans with a return date are reminded
        return Message(
            row.kind.value,
            "email",
            advocate.email,
            {
                "reference": whose.reference,
                "programme": whose.programme.name,
                "due_date": _long_date(loan.due_on),
                "items": str(len(loan.outstanding())),
            },
            row.reference,
        )
    if row.kind == NotificationKind.ASSESSMENT_DUE:
        participant = db.session.get_one(Participant, row.participant_id)  # never deleted, only erased
        return Message(
            row.kind.value,
            "email",
            advocate.email,
            {"reference": participant.reference, "programme": participant.programme.name},
            row.reference,
        )
    # The digest lists references and dates only: enough to find the person on the advocate's caseload.
    plans = db.session.execute(
        sa.select(Participant.reference, DataPlan.ends_on)
        .join(Participant, Participant.id == DataPlan.participant_id)
        .where(
            Participant.advocate_id == advocate.id,
            DataPlan.ended_on.is_(None),
            DataPlan.ends_on >= row.due_on,
            DataPlan.ends_on <= row.due_on + timedelta(days=30),
        )
        .order_by(DataPlan.ends_on, Participant.reference)
    ).all()
    if not plans:
        raise NoRecipient("none of the advocate's plans ends soon any more")
    lines = "\n".join(f"* {ref}: free data ends {_long_date(ends)}" for ref, ends in plans)
    return Message(
        row.kind.value,
        "email",
        advocate.email,
        {"date": _long_date(row.due_on), "count": str(len(plans)), "plans": lines},
        row.reference,
    )
