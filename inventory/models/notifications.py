"""The outbox: reminders queued once under a unique key, sent once, with every attempt's outcome."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .columns import BigId, enum_type, utcnow


class Channel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class NotificationStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting to be sent, or to be tried again (next_attempt_at)
    SENDING = "sending"  # claimed by a sender, which committed that before calling out
    SENT = "sent"
    FAILED = "failed"  # permanently, or after the last retry; `last_error` says why


class DeliveryStatus(enum.StrEnum):
    """What GOV.UK Notify's delivery receipt says became of a sent message."""

    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent-failure"  # the number or address does not exist, or refuses
    TEMPORARY_FAILURE = "temporary-failure"  # the phone was off, the inbox full: Notify gave up after retrying
    TECHNICAL_FAILURE = "technical-failure"  # Notify's own problem


NOT_DELIVERED = frozenset(
    {DeliveryStatus.PERMANENT_FAILURE, DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.TECHNICAL_FAILURE}
)


class NotificationKind(enum.StrEnum):
    PLAN_ENDING = "plan_ending"  # to the participant, N days before the free data ends
    PLAN_ENDED = "plan_ended"  # to the participant, on the day: what to do next
    ADVOCATE_DIGEST = "advocate_digest"  # to an advocate, daily: their participants' plans ending soon
    ASSESSMENT_DUE = "assessment_due"  # to an advocate: kit on loan for weeks, no assessment yet
    RETURN_DUE = "return_due"  # to the participant: a loan's return date is a week away, or today
    ADVOCATE_RETURN = "advocate_return"  # to the advocate: the same, for one of their participants
    HANDOVER = "handover"  # to the participant: their handover record (a file by email; by SMS a note)
    CERTIFICATE = "certificate"  # to the participant: their ownership certificate, the same way


_participants = sa.table("participants", sa.column("id"), sa.column("advocate_id"))


def _outbox_advocate(context) -> int | None:
    """Whose outbox lists a row added through the ORM (the sweeps' INSERT … SELECTs name it themselves):
    its participant's advocate, read FOR SHARE so that a reassignment at the same moment either waits for
    the row and moves it, or is waited for and copied; for a row about nobody, its addressee."""
    row = context.get_current_parameters()
    if row.get("participant_id") is None:
        return row.get("advocate_id")
    advocate = (
        sa.select(_participants.c.advocate_id)
        .where(_participants.c.id == row["participant_id"])
        .with_for_update(read=True)
    )
    return context.connection.execute(advocate).scalar()


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_notifications_status_sent_at", "status", "sent_at"),  # the purge of old sent reminders
        # An advocate's outbox (services.notifications), newest first, and how many of each status: one range
        # of this index.
        sa.Index("ix_notifications_outbox_advocate_id_id_status", "outbox_advocate_id", "id", "status"),
        sa.Index("ix_notifications_participant_id_id_status", "participant_id", "id", "status"),
        sa.Index("ix_notifications_advocate_id_id_status", "advocate_id", "id", "status"),
        # What Notify could not deliver: a few rows among many with none.
        sa.Index("ix_notifications_delivery_status", "delivery_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # What makes it unique, e.g. "plan:12:day:7:ends:2027-02-28": queued once however often, and
    # however many sweeps run at the same moment (the database refuses the second).
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind, "notification_kind"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus, "notification_status"), default=NotificationStatus.QUEUED
    )
    due_on: Mapped[date] = mapped_column(sa.Date)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id"))
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # the advocate it is sent to
    # The advocate whose outbox lists the row: the participant's advocate (copied when the row is queued,
    # and kept in step when the participant is reassigned: services.participants.reassign), or, for a row
    # about no participant (a digest), the advocate it is sent to. An advocate's outbox is then one index
    # range, however big the caseload (a participant_id IN (caseload) look-up grows with it), and shows
    # only their own caseload: a reassigned participant's reminders go with them.
    outbox_advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=_outbox_advocate)
    data_plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("data_plans.id"), index=True)
    # A loan's return-date reminder names its loan, as a plan's reminder names its plan; so does a
    # handover record's copy.
    loan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    days_before: Mapped[int | None]
    # The document a handover or certificate copy sends (a handover's loan is loan_id, above).
    transfer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfers.id"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # A random value per claim: a sender may send and record a row only while the row still holds its
    # token (another sender that took the row over as abandoned has put its own there).
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    # The last attempt may have reached the provider (the connection dropped): ask before resending.
    outcome_unknown: Mapped[bool] = mapped_column(default=False)
    provider_id: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # From Notify's delivery receipt (POST /api/v1/notify/callback), once it comes.
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(enum_type(DeliveryStatus, "delivery_status"))
    delivery_reported_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def reference(self) -> str:
        """Our reference at the provider, by which an unknown outcome is looked up."""
        return f"inventory-{self.id}"
