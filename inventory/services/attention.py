"""What needs attention, by role, for the home page: counts only (never anyone's details), each answering
the same question as the filtered list it links to, from the same condition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import DATA_BEARING, Actor, Asset, AssetStatus, Notification, NotificationStatus, Role, User
from . import consignments, found, health, stocktakes
from .assets import asset_query
from .participants import caseload, free_data_ending, kit_out_without_assessment, reminder_not_delivered

QUARANTINE_DAYS = 7
DATA_ENDS_DAYS = 7


@dataclass(frozen=True)
class Attention:
    key: str  # which list the page links to (web/__init__.py's ATTENTION_LINKS)
    text: str
    count: int


def _count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0


# --- by role --------------------------------------------------------------------------------------------------


def for_warehouse(viewer: Actor, now: datetime) -> list[Attention]:
    without_certificate = asset_query(viewer, status=AssetStatus.RECEIVED.value).where(Asset.type.in_(DATA_BEARING))
    waiting = asset_query(viewer, quarantined_before=now - timedelta(days=QUARANTINE_DAYS))
    return [
        Attention(
            "received_no_certificate", "Devices received without a wipe certificate", _count(without_certificate)
        ),
        Attention("quarantine_week", f"In quarantine for more than {QUARANTINE_DAYS} days", _count(waiting)),
        Attention("found_reports", "Items someone reported found", found.count_open()),
        Attention("consignments_to_pack", "Consignments to pack", _count(consignments.to_pack_query(viewer))),
    ]


def for_advocate(viewer: Actor, today: date, assessment_weeks: int) -> list[Attention]:
    people = caseload(viewer)
    since = today - timedelta(weeks=assessment_weeks)
    return [
        Attention(
            "data_ends_7",
            f"Free data ends within {DATA_ENDS_DAYS} days",
            _count(people.where(free_data_ending(today, DATA_ENDS_DAYS))),
        ),
        Attention(
            "no_assessment_4_weeks",
            f"Kit out {assessment_weeks} weeks or more, no assessment yet",
            _count(people.where(kit_out_without_assessment(since))),
        ),
        Attention(
            "reminder_not_delivered",
            "Reminders that did not reach them",
            _count(people.where(reminder_not_delivered())),
        ),
    ]


def for_partner(viewer: Actor, today: date, stocktake_days: int) -> list[Attention]:
    return [
        Attention("deliveries_to_receive", "Deliveries to receive", _count(consignments.deliveries_query(viewer))),
        Attention("stocktakes_due", "Stocktakes due", len(stocktakes.due(viewer, today, stocktake_days))),
    ]


def for_admin(viewer: Actor, now: datetime, today: date, assessment_weeks: int) -> list[Attention]:
    backlog = health.outbox_backlog(now)
    stuck = (
        backlog.queued
        if backlog.oldest_queued_minutes is not None
        and backlog.oldest_queued_minutes > health.OUTBOX_STUCK_AFTER.total_seconds() // 60
        else 0
    )
    failed = sa.select(Notification.id).where(Notification.status == NotificationStatus.FAILED)
    no_second_factor = sa.select(User.id).where(User.active.is_(True), User.mfa_enabled_at.is_(None))
    return [
        Attention("outbox_stuck", "Reminders stuck in the outbox for over an hour", stuck),
        Attention("failed_reminders", "Reminders that failed", _count(failed)),
        Attention("users_without_mfa", "Users without a second factor", _count(no_second_factor)),
        Attention(
            "reminder_not_delivered",
            "Participants a reminder did not reach",
            _count(caseload(viewer).where(reminder_not_delivered())),
        ),
    ]


def for_viewer(
    viewer: Actor, *, now: datetime, today: date, assessment_weeks: int, stocktake_days: int
) -> list[Attention]:
    if viewer.role == Role.WAREHOUSE:
        return for_warehouse(viewer, now)
    if viewer.role == Role.ADVOCATE:
        return for_advocate(viewer, today, assessment_weeks)
    if viewer.role == Role.PARTNER:
        return for_partner(viewer, today, stocktake_days)
    return for_admin(viewer, now, today, assessment_weeks)
