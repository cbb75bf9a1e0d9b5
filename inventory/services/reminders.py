"""Queueing reminders: set-based statements that add each due reminder to the outbox exactly once.

A plan's reminder days (say 30, 7 and 0) cut the days before its end into bands. A sweep queues, for
each active plan, the reminder of the band its end date falls in today, under a key that names the
plan, the day and the end date. Running again, or several sweeps at once, adds nothing: the database
refuses a second row with the same key. A sweep that missed days (the scheduler was down) finds the
plan in a later band and queues only that band's reminder, not the stale ones before it. An extended
plan has a new end date, so a new set of keys.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import (
    Channel,
    DataPlan,
    Loan,
    LoanItem,
    Notification,
    NotificationKind,
    NotificationStatus,
    Participant,
    Programme,
    utcnow,
)
from .participants import kit_out_without_assessment

# A day-0 message ("your free data has ended") is still worth sending this many days late.
ENDED_GRACE_DAYS = 7


def _insert_new(select: sa.Select, columns: list[str]) -> int:
    """INSERT … SELECT that skips rows whose key is already in the outbox."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # On the table, not the mapped class: a Core statement reports how many rows it added.
    statement = (
        insert(cast(sa.Table, Notification.__table__))
        .from_select(columns, select, include_defaults=False)
        .on_conflict_do_nothing(index_elements=["key"])
        .execution_options(preserve_rowcount=True)
    )  # SQLAlchemy keeps INSERT counts only if asked
    return max(0, cast(sa.CursorResult, db.session.execute(statement)).rowcount)


def _text(column) -> sa.ColumnElement:
    return sa.cast(column, sa.String)


# The outbox columns every INSERT ... SELECT of a reminder fills, in the order its select lists them.
OUTBOX_COLUMNS = (
    "key",
    "kind",
    "channel",
    "status",
    "due_on",
    "participant_id",
    "advocate_id",
    "outbox_advocate_id",
    "data_plan_id",
    "days_before",
    "attempts",
    "outcome_unknown",
    "created_at",
)


def sweep(today: date) -> dict:
    """Queue the reminders due on `today`. Returns how many of each were added."""
    now = sa.literal(utcnow())
    queued = {"participants": 0, "advocates": 0}
    columns = list(OUTBOX_COLUMNS)
    programmes = db.session.execute(sa.select(Programme.id, Programme.reminder_days)).all()
    for programme_id, reminder_days in programmes:
        lower = -(ENDED_GRACE_DAYS + 1)
        for days in sorted(set(reminder_days or [])):
            band = sa.and_(
                DataPlan.ends_on > today + timedelta(days=lower), DataPlan.ends_on <= today + timedelta(days=days)
            )
            lower = days
            select = (
                sa.select(
                    sa.literal("plan:")
                    + _text(DataPlan.id)
                    + sa.literal(f":day:{days}:ends:")
                    + _text(DataPlan.ends_on),
                    sa.literal((NotificationKind.PLAN_ENDED if days == 0 else NotificationKind.PLAN_ENDING).value),
                    sa.case((Participant.phone.is_not(None), Channel.SMS.value), else_=Channel.EMAIL.value),
                    sa.literal(NotificationStatus.QUEUED.value),
                    sa.literal(today),
                    Participant.id,
                    sa.literal(None, sa.Integer),
                    Participant.advocate_id,
                    DataPlan.id,
                    sa.literal(days),
                    sa.literal(0),
                    sa.literal(False),
                    now,
                )
                .select_from(DataPlan)
                .join(Loan, Loan.id == DataPlan.loan_id)
                .join(Participant, Participant.id == DataPlan.participant_id)
                .where(
                    Loan.programme_id == programme_id,
                    band,
                    DataPlan.ended_on.is_(None),
                    Participant.contact_consent.is_(True),
                    Participant.erased_at.is_(None),
                    sa.or_(Participant.phone.is_not(None), Participant.email.is_not(None)),
                )
                .with_for_update(read=True, of=Participant)
            )
            queued["participants"] += _insert_new(select, columns)
    # One digest a day for each advocate with a participant whose free data ends within a month.
    window = max([30] + [d for _, days in programmes for d in days or []])
    digest = (
        sa.select(
            sa.literal("digest:") + _text(Participant.advocate_id) + sa.literal(f":{today.isoformat()}"),
            sa.literal(NotificationKind.ADVOCATE_DIGEST.value),
            sa.literal(Channel.EMAIL.value),
            sa.literal(NotificationStatus.QUEUED.value),
            sa.literal(today),
            sa.literal(None, sa.Integer),
            Participant.advocate_id,
            Participant.advocate_id,  # about nobody in particular: listed in the outbox of the advocate it goes to
            sa.literal(None, sa.Integer),
            sa.literal(None, sa.Integer),
            sa.literal(0),
            sa.literal(False),
            now,
        )
        .select_from(DataPlan)
        .join(Participant, Participant.id == DataPlan.participant_id)
        .where(
            DataPlan.ended_on.is_(None), DataPlan.ends_on >= today, DataPlan.ends_on <= today + timedelta(days=window)
        )
        .group_by(Participant.advocate_id)
    )
    queued["advocates"] = _insert_new(digest, columns)
    participants, advocates = queue_return_reminders(today)
    queued["participants"] += participants
    queued["advocates"] += advocates
    return queued


# A loan's return date: reminders a week before and on the day, to the participant and their advocate.
RETURN_REMINDER_DAYS = (7, 0)


def queue_return_reminders(today: date) -> tuple[int, int]:
    """Queue, once each, the reminders of loans due back within a week or today (a missed day is caught up,
    as for plans: the band a loan's return date falls in today decides which one). Only loans with
    something still out; the participant only with consent and a way to reach them."""
    columns = list(OUTBOX_COLUMNS) + ["loan_id"]
    now = sa.literal(utcnow())
    still_out = sa.exists().where(LoanItem.loan_id == Loan.id, LoanItem.returned_on.is_(None))
    participants = advocates = 0
    lower = -(ENDED_GRACE_DAYS + 1)
    for days in sorted(RETURN_REMINDER_DAYS):
        band = sa.and_(Loan.due_on > today + timedelta(days=lower), Loan.due_on <= today + timedelta(days=days))
        lower = days
        key = sa.literal("loan:") + _text(Loan.id) + sa.literal(f":due:{days}:on:") + _text(Loan.due_on)
        due = (
            sa.select(Loan.id)
            .join(Participant, Participant.id == Loan.participant_id)
            .where(Loan.due_on.is_not(None), band, still_out, Participant.erased_at.is_(None))
        )
        to_participant = (
            sa.select(
                key,
                sa.literal(NotificationKind.RETURN_DUE.value),
                sa.case((Participant.phone.is_not(None), Channel.SMS.value), else_=Channel.EMAIL.value),
                sa.literal(NotificationStatus.QUEUED.value),
                sa.literal(today),
                Participant.id,
                sa.literal(None, sa.Integer),
                Participant.advocate_id,
                sa.literal(None, sa.Integer),
                sa.literal(days),
                sa.literal(0),
                sa.literal(False),
                now,
                Loan.id,
            )
            .select_from(Loan)
            .join(Participant, Participant.id == Loan.participant_id)
            .where(
                Loan.id.in_(due),
                Participant.contact_consent.is_(True),
                sa.or_(Participant.phone.is_not(None), Participant.email.is_not(None)),
            )
            .with_for_update(read=True, of=Participant)
        )
        participants += _insert_new(to_participant, columns)
        to_advocate = (
            sa.select(
                key + sa.literal(":advocate"),
                sa.literal(NotificationKind.ADVOCATE_RETURN.value),
                sa.literal(Channel.EMAIL.value),
                sa.literal(NotificationStatus.QUEUED.value),
                sa.literal(today),
                Participant.id,
                Participant.advocate_id,
                Participant.advocate_id,
                sa.literal(None, sa.Integer),
                sa.literal(days),
                sa.literal(0),
                sa.literal(False),
                now,
                Loan.id,
            )
            .select_from(Loan)
            .join(Participant, Participant.id == Loan.participant_id)
            .where(Loan.id.in_(due))
            .with_for_update(read=True, of=Participant)
        )
        advocates += _insert_new(to_advocate, columns)
    return participants, advocates


def queue_assessment_reminders(today: date, weeks: int, *, catch_up_days: int | None = None) -> int:
    """Remind an advocate, once, of each participant who has had kit on loan for `weeks` weeks or
    more without taking the assessment. With `catch_up_days` (the daily job: the days since its last
    good run) only loans that passed the threshold in those days are looked at, by the issue-date
    index: older ones were reminded of when they passed it, and a reminder is queued once for good."""
    since = today - timedelta(weeks=weeks)
    issued_from = since - timedelta(days=catch_up_days) if catch_up_days is not None else None
    select = sa.select(
        sa.literal("assessment:") + _text(Participant.id),
        sa.literal(NotificationKind.ASSESSMENT_DUE.value),
        sa.literal(Channel.EMAIL.value),
        sa.literal(NotificationStatus.QUEUED.value),
        sa.literal(today),
        Participant.id,
        Participant.advocate_id,
        Participant.advocate_id,
        sa.literal(None, sa.Integer),
        sa.literal(None, sa.Integer),
        sa.literal(0),
        sa.literal(False),
        sa.literal(utcnow()),
    ).where(kit_out_without_assessment(since, issued_from=issued_from), Participant.erased_at.is_(None))
    select = select.with_for_update(read=True, of=Participant)
    count = _insert_new(
        select,
        list(OUTBOX_COLUMNS),
    )
    return count
