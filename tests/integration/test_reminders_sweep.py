"""The sweep: reminders queued on the right days, exactly once, from threads and processes alike."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Notification, Participant
from inventory.services import data_plans, reminders, returns
from tests.conftest import TODAY, at_once


def rows():
    return db.session.execute(
        sa.select(
            Notification.kind,
            Notification.channel,
            Notification.days_before,
            Notification.participant_id,
            Notification.due_on,
        )
        .where(Notification.participant_id.is_not(None))
        .order_by(Notification.id)
    ).all()


def sweep(day):
    with unit_of_work():
        return reminders.sweep(day)


@pytest.fixture
def plan(world, make_asset, make_participant, issue):
    """A six-month plan from 31 August 2026: it ends on 28 February 2027."""
    person = make_participant()
    receipt = issue(person, make_asset("sim").tag, issued_on=date(2026, 8, 31), today=date(2026, 8, 31))
    assert receipt["data_plans"][0]["ends_on"] == "2027-02-28"
    return person, receipt["data_plans"][0]["id"]


def test_reminders_come_30_7_and_0_days_before_the_end_across_month_ends(plan):
    person, _ = plan
    queued = {}
    day = date(2027, 1, 1)
    while day <= date(2027, 3, 10):
        queued[day] = sweep(day)["participants"]
        day += timedelta(days=1)
    assert [d for d, n in queued.items() if n] == [date(2027, 1, 29), date(2027, 2, 21), date(2027, 2, 28)]
    assert [(k.value, c.value, d) for k, c, d, _, _ in rows()] == [
        ("plan_ending", "sms", 30),
        ("plan_ending", "sms", 7),
        ("plan_ended", "sms", 0),
    ]


def test_a_leap_year_end(world, make_asset, make_participant, issue):
    issue(make_participant(), make_asset("sim").tag, issued_on=date(2027, 8, 31), today=date(2027, 8, 31))
    assert sweep(date(2028, 2, 22))["participants"] == 1  # 7 days before the 29th
    assert sweep(date(2028, 2, 28))["participants"] == 0
    assert sweep(date(2028, 2, 29))["participants"] == 1
    assert rows()[-1][2] == 0


def test_running_again_queues_nothing_more(plan):
    assert sweep(date(2027, 1, 29)) == {"participants": 1, "advocates": 1}
    assert sweep(date(2027, 1, 29)) == {"participants": 0, "advocates": 0}


def test_missed_days_catch_up_with_the_latest_reminder_only(plan):
    assert sweep(date(2027, 2, 23))["participants"] == 1  # the scheduler was down since January
    assert [d for _, _, d, _, _ in rows()] == [7]
    assert sweep(date(2027, 3, 3))["participants"] == 1  # and again, past the end
    assert [d for _, _, d, _, _ in rows()] == [7, 0]
    assert sweep(date(2027, 3, 20))["participants"] == 0  # too late to be useful


def test_an_extended_plan_is_reminded_about_its_new_end(world, plan):
    person, plan_id = plan
    sweep(date(2027, 1, 29))
    data_plans.extend(plan_id, 2, world.people["advocate"].user, date(2027, 2, 1))  # now ends 30 April
    assert sweep(date(2027, 2, 21))["participants"] == 0
    assert sweep(date(2027, 3, 31))["participants"] == 1
    assert db.session.scalars(
        sa.select(Notification.key).where(Notification.days_before == 30).order_by(Notification.id)
    ).all() == [f"plan:{plan_id}:day:30:ends:2027-02-28", f"plan:{plan_id}:day:30:ends:2027-04-30"]


def test_who_hears(world, make_asset, make_participant, issue):
    start = date(2026, 8, 31)
    by_email = make_participant(phone=None, email="e@example.org")
    no_consent = make_participant(contact_consent=False)
    no_contact = make_participant(phone=None, email=None)
    returned = make_participant()
    for person in (by_email, no_consent, no_contact, returned):
        receipt = issue(person, make_asset("sim").tag, issued_on=start, today=start)
    returns.return_items(receipt["id"], world.warehouse, location="WH-MAIN", today=date(2026, 12, 1))
    assert sweep(date(2027, 1, 29)) == {"participants": 1, "advocates": 1}
    assert [(c.value, pid) for _, c, _, pid, _ in rows()] == [("email", by_email.id)]


def test_sweeps_at_the_same_moment_from_threads_queue_once(app, plan, world, make_asset, make_participant, issue):
    for _ in range(5):
        issue(make_participant(), make_asset("sim").tag, issued_on=date(2026, 8, 31), today=date(2026, 8, 31))
    results = at_once([lambda: sweep(date(2027, 1, 29))] * 6, app)
    assert sum(r["participants"] for r in results) == 6 and sum(r["advocates"] for r in results) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 7


@pytest.mark.slow
def test_sweeps_at_the_same_moment_from_processes_queue_once(plan, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test"}
    command = [
        sys.executable,
        "-c",
        "from inventory.cli import main; main()",
        "reminders",
        "sweep",
        "--as-of",
        "2027-01-29",
    ]
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outputs
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2
    assert sum("queued 1 participant" in out for out, _ in outputs) == 1


def test_advocates_hear_of_kit_without_an_assessment_once(world, make_asset, make_participant, issue):
    waiting = make_participant()
    assessed = make_participant()
    issue(waiting, make_asset("chair").tag, issued_on=date(2026, 10, 1))
    issue(assessed, make_asset("chair").tag, issued_on=date(2026, 10, 1))
    from inventory.services import assessments

    assessments.record(
        participant_id=assessed.id,
        score=1,
        max_score=20,
        taken_on=date(2026, 10, 20),
        venue="home",
        actor=world.people["advocate"].user,
        today=TODAY,
    )
    with unit_of_work():
        assert reminders.queue_assessment_reminders(date(2026, 10, 20), weeks=4) == 0
        assert reminders.queue_assessment_reminders(TODAY, weeks=4) == 1
        assert reminders.queue_assessment_reminders(date(2026, 11, 29), weeks=4) == 0
    row = db.session.scalars(sa.select(Notification)).one()
    assert (row.kind.value, row.advocate_id, row.participant_id) == (
        "assessment_due",
        world.people["advocate"].user.id,
        waiting.id,
    )
    assert db.session.get(Participant, waiting.id) is not None
