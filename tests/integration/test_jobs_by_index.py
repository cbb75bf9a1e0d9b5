"""The daily jobs read only what changed since their last good run (by index), the outbox's old sent
reminders are purged, and PostgreSQL's JIT is off for the app's connections."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import LastInvolved, Notification, NotificationKind, NotificationStatus, Participant
from inventory.services import notifications, privacy, reminders, scheduler_status
from scheduler.jobs import JOBS, in_context
from tests.conftest import TODAY

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _sent(key: str, days_ago: int, kind=NotificationKind.ADVOCATE_DIGEST, status=NotificationStatus.SENT, **more):
    db.session.add(
        Notification(
            key=key,
            kind=kind,
            channel="email",
            status=status,
            due_on=TODAY - timedelta(days=days_ago),
            sent_at=NOW - timedelta(days=days_ago) if status == NotificationStatus.SENT else None,
            **more,
        )
    )


def _keys() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(sa.select(Notification.key)))


def test_the_purge_deletes_only_old_sent_reminders_that_cannot_come_back(world, make_asset, make_participant, issue):
    person = make_participant()
    open_plan = issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1))
    plan_id = open_plan["data_plans"][0]["id"]  # ends 2026-12-01: its band is still open
    with unit_of_work():
        _sent("old digest", 200)
        _sent("recent digest", 20)
        _sent("old but failed", 200, status=NotificationStatus.FAILED)
        _sent("old assessment reminder", 200, kind=NotificationKind.ASSESSMENT_DUE, participant_id=person.id)
        _sent("old, plan still running", 200, kind=NotificationKind.PLAN_ENDING, data_plan_id=plan_id)
    with unit_of_work():
        assert notifications.purge_sent(now=NOW, today=TODAY, older_than_days=180) == 1
    assert _keys() == {"recent digest", "old but failed", "old assessment reminder", "old, plan still running"}
    with unit_of_work():
        assert notifications.purge_sent(now=NOW, today=TODAY, older_than_days=180) == 0  # twice: nothing more


def test_the_purge_is_a_scheduled_job(app, world):
    with unit_of_work():
        _sent("ancient digest", 400)
    purge = next(job for job in JOBS if job.name == "purge sent reminders")
    assert purge.trigger == "cron"
    assert in_context(app, purge)() == {"deleted": 1}
    assert _keys() == set()


def _erasable(make_participant, issue, make_asset, returned_on: date, name: str):
    """A participant whose loan came back on `returned_on`, created long before."""
    from inventory.services import returns

    person = make_participant(name=name)
    loan = issue(person, make_asset("chair").tag, issued_on=returned_on - timedelta(days=30), today=returned_on)
    with unit_of_work():
        returns.return_items(loan["id"], person.advocate, location="WH-MAIN", today=returned_on)
    return person


def test_the_nightly_retention_looks_back_to_its_last_good_run_only(app, world, make_asset, make_participant, issue):
    cutoff = date(2024, 11, 22)  # TODAY less RETENTION_MONTHS (24)
    yesterday_ended = _erasable(make_participant, issue, make_asset, cutoff - timedelta(days=1), "Just Expired")
    long_ended = _erasable(make_participant, issue, make_asset, cutoff - timedelta(days=200), "Long Expired")
    still_recent = _erasable(make_participant, issue, make_asset, cutoff + timedelta(days=3), "Still Recent")
    with unit_of_work():
        db.session.execute(sa.update(Participant).values(created_at=datetime(2020, 1, 1, tzinfo=UTC)))
    # The job ran well yesterday: tonight it reads only the days since, by index.
    with unit_of_work():
        scheduler_status.record_run("retention", NOW - timedelta(days=1), "erased 0")
    retention = next(job for job in JOBS if job.name == "retention")
    assert in_context(app, retention)() == {"erased": 1}
    names = dict(db.session.execute(sa.select(Participant.name, Participant.erased_at.is_not(None))).all())
    assert names == {None: True, "Long Expired": False, "Still Recent": False}
    assert db.session.get(Participant, yesterday_ended.id).name is None
    # After a failed run (or on the first), it reads everyone: the one left from long ago goes too.
    with unit_of_work():
        scheduler_status.record_run("retention", NOW - timedelta(days=1), "failed: OperationalError")
    assert in_context(app, retention)() == {"erased": 1}
    db.session.rollback()
    assert db.session.get(Participant, long_ended.id).name is None
    assert db.session.get(Participant, still_recent.id).name == "Still Recent"
    # The command line always reads everyone.
    with unit_of_work():
        assert privacy.anonymise_expired(TODAY, 24) == []


def test_the_assessment_reminder_reads_only_loans_that_just_passed_their_weeks(
    world, make_asset, make_participant, issue
):
    just, long_ago = make_participant(), make_participant()
    issue(just, make_asset("chair").tag, issued_on=TODAY - timedelta(weeks=4, days=1))
    issue(long_ago, make_asset("chair").tag, issued_on=TODAY - timedelta(weeks=20))
    with unit_of_work():
        assert reminders.queue_assessment_reminders(TODAY, 4, catch_up_days=2) == 1
    assert _keys() == {f"assessment:{just.id}"}
    with unit_of_work():  # a full run (the first, or after a failure) finds the other one
        assert reminders.queue_assessment_reminders(TODAY, 4) == 1
    assert _keys() == {f"assessment:{just.id}", f"assessment:{long_ago.id}"}


def test_the_app_s_postgresql_connections_have_jit_off(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SHOW jit")).scalar() == "off"


def test_nightly_runs_that_look_back_one_day_erase_everyone_on_the_night_their_last_day_passes(
    world, make_asset, make_participant, issue
):
    """The nightly job reads only those whose kept last day (or, with no later row, whose record's
    writing) falls in the day before the cut-off. Run night after night it erases each participant on
    the first night their last day is before the cut-off: a SIM brought back before its plan's end
    moves the last day earlier, not only later; someone still borrowing is never erased; and a full
    run at the end finds no one left behind."""
    from inventory.dates import add_months
    from inventory.services import assessments, returns

    base = date(2024, 6, 10)  # nights in June 2026 cut off at the same day of June 2024

    def day(offset: int) -> date:
        return base + timedelta(days=offset)

    def lend(person, kind: str, issued: int, returned: int | None = None):
        loan = issue(person, make_asset(kind).tag, issued_on=day(issued), today=day(issued))
        if returned is not None:
            with unit_of_work():
                returns.return_items(loan["id"], person.advocate, location="WH-MAIN", today=day(returned))

    def assess(person, taken: int):
        with unit_of_work():
            assessments.record(
                participant_id=person.id,
                score=8,
                max_score=20,
                taken_on=day(taken),
                venue="home",
                actor=world.people["advocate"].user,
                today=day(taken),
            )

    people = {name: make_participant(name=name) for name in ("early", "returned", "sim back", "assessed")}
    people |= {name: make_participant(name=name) for name in ("only written", "still borrowing", "written late")}
    lend(people["early"], "chair", -40, -11)  # last day: day -11
    lend(people["returned"], "chair", -30, -1)  # day -1
    lend(people["sim back"], "sim", -60, -5)  # a six-month plan (to day 122), ended early on day -5
    lend(people["assessed"], "chair", -20, -8)
    assess(people["assessed"], 3)  # day 3
    lend(people["still borrowing"], "chair", -10)  # never: the chair is still out
    lend(people["written late"], "chair", -100, -90)  # rows long before, but written on day 5
    with unit_of_work():
        db.session.execute(sa.update(Participant).values(created_at=datetime(2020, 1, 1, tzinfo=UTC)))
        for name, offset in (("only written", 2), ("written late", 5)):
            written = datetime.combine(day(offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
            db.session.execute(
                sa.update(Participant).where(Participant.id == people[name].id).values(created_at=written)
            )
    with unit_of_work(write=False):
        kept = dict(
            db.session.execute(
                sa.select(Participant.name, LastInvolved.day).outerjoin(
                    LastInvolved, LastInvolved.participant_id == Participant.id
                )
            ).all()
        )
    assert kept["sim back"] == day(-5) and kept["returned"] == day(-1) and kept["only written"] is None
    assert kept["still borrowing"] is None  # no last day while the chair is out: never looked at

    erased_on: dict[int, int] = {}
    for offset in range(-12, 9):
        night = add_months(day(offset), 24)
        with unit_of_work():
            for person_id in privacy.anonymise_expired(night, 24, catch_up_days=1):
                erased_on[person_id] = offset
    names = {person.id: name for name, person in people.items()}
    # Erased on the night whose cut-off is the day after their last day.
    assert {names[i]: offset for i, offset in erased_on.items()} == {
        "early": -10,
        "returned": 0,
        "sim back": -4,
        "only written": 3,
        "assessed": 4,
        "written late": 6,
    }
    with unit_of_work():
        assert privacy.anonymise_expired(add_months(day(8), 24), 24) == []  # nobody left behind
