"""The personal-data access log: one row per participant, written in one statement, never changed or
deleted (by the ORM, and by the database on PostgreSQL and SQLite), and recorded by the command line and
the scheduler's retention run."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from inventory.cli import main
from inventory.extensions import db, unit_of_work
from inventory.models import AccessAction, AccessChannel, AccessLogEntry, Participant
from inventory.services import access_log, privacy
from scheduler.jobs import JOBS, in_context
from tests.conftest import TODAY


def logged() -> list[tuple]:
    """Every row of the log as (user, action, participant, what, channel), in the order written."""
    db.session.rollback()  # see what the entry points committed
    return [
        (e.user.email if e.user else None, e.action.value, e.participant_id, e.what, e.channel.value)
        for e in db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id))
    ]


@pytest.fixture
def inserts(app):
    """The INSERT statements sent to the database for the access log, counted as the driver sees them."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ACCESS_LOG"):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", count)


def test_a_list_of_fifty_is_fifty_rows_in_one_statement(world, make_participant, inserts):
    people = [make_participant() for _ in range(50)]
    with unit_of_work():
        written = access_log.record(
            world.admin, AccessAction.LISTED, [p.id for p in people], "participant list page 1", AccessChannel.API
        )
    assert written == 50 and len(inserts) == 1
    rows = logged()
    assert [r[2] for r in rows] == [p.id for p in people]
    assert {r[:2] + r[3:] for r in rows} == {("admin@test.example", "listed", "participant list page 1", "api")}
    stamps = set(db.session.scalars(sa.select(AccessLogEntry.at)))
    assert len(stamps) == 1  # one moment, by the app's clock
    assert stamps.pop().date() == TODAY


def test_nothing_shown_nothing_written(world, inserts):
    with unit_of_work():
        assert access_log.record(world.admin, AccessAction.LISTED, [], "participants", AccessChannel.WEB) == 0
    assert inserts == [] and logged() == []


def _one_entry(world, make_participant) -> Participant:
    person = make_participant()
    with unit_of_work():
        access_log.record(world.admin, AccessAction.VIEWED, [person.id], "case file", AccessChannel.API)
    return person


def test_the_orm_refuses_to_change_or_delete_an_entry(world, make_participant):
    _one_entry(world, make_participant)
    entry = db.session.scalar(sa.select(AccessLogEntry))
    entry.what = "something else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(AccessLogEntry)))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert len(logged()) == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE access_log SET what = 'tampered'", "UPDATE access_log SET user_id = NULL", "DELETE FROM access_log"],
)
def test_the_database_refuses_update_and_delete(world, make_participant, statement):
    """Whoever holds a connection (PostgreSQL: a trigger; SQLite: triggers that RAISE(ABORT))."""
    _one_entry(world, make_participant)
    db.session.remove()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert logged() == [("admin@test.example", "viewed", logged()[0][2], "case file", "api")]


def test_the_triggers_are_installed_on_this_dialect():
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            names = conn.execute(
                sa.text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'access_log'::regclass AND NOT tgisinternal")
            ).scalars()
            assert set(names) == {"access_log_append_only"}
        else:
            names = conn.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'access_log'")
            ).scalars()
            assert set(names) == {"access_log_no_update", "access_log_no_delete"}


def test_erasure_keeps_the_log_pointing_at_the_nameless_row(world, make_participant):
    person = _one_entry(world, make_participant)
    with unit_of_work():
        privacy.erase(person.id, world.admin)
    db.session.rollback()
    entry = db.session.scalar(sa.select(AccessLogEntry))
    assert entry.participant_id == person.id and entry.participant.name is None
    assert entry.participant.reference == person.reference


def test_the_subject_access_export_includes_the_participants_own_entries(world, make_participant):
    person, other = make_participant(), make_participant()
    with unit_of_work():
        access_log.record(world.admin, AccessAction.VIEWED, [person.id], "case file", AccessChannel.API)
        access_log.record(world.admin, AccessAction.VIEWED, [other.id], "case file", AccessChannel.API)
        access_log.record(None, AccessAction.EXPORTED, [person.id], "subject access export", AccessChannel.CLI)
    export = privacy.export(person.id, world.admin, TODAY)
    assert [(e["user"], e["action"], e["what"], e["channel"]) for e in export["access_log"]] == [
        ("admin@test.example", "viewed", "case file", "api"),
        (None, "exported", "subject access export", "cli"),
    ]
    assert export["access_log"][0]["at"].startswith(TODAY.isoformat())


def test_filters_by_participant_user_and_days_inclusive(app, world, make_participant):
    a, b = make_participant(), make_participant()
    advocate = world.people["advocate"].user
    with unit_of_work():
        access_log.record(world.admin, AccessAction.VIEWED, [a.id], "case file", AccessChannel.API)  # day 0
    app.config["CLOCK"].advance(timedelta(days=1))
    with unit_of_work():
        access_log.record(advocate, AccessAction.VIEWED, [a.id, b.id], "case file page", AccessChannel.WEB)  # day 1
    app.config["CLOCK"].advance(timedelta(days=1))
    with unit_of_work():
        access_log.record(advocate, AccessAction.CHANGED, [b.id], "changed phone", AccessChannel.WEB)  # day 2

    def what(**filters):
        return [(e.participant_id, e.what) for e in db.session.scalars(access_log.entry_query(**filters))]

    assert what() == [(b.id, "changed phone"), (b.id, "case file page"), (a.id, "case file page"), (a.id, "case file")]
    assert what(participant=a.id) == [(a.id, "case file page"), (a.id, "case file")]
    assert what(user=" Admin@Test.example ") == [(a.id, "case file")]
    day1 = TODAY + timedelta(days=1)
    assert what(date_from=day1, date_to=day1) == [(b.id, "case file page"), (a.id, "case file page")]
    assert what(date_from=TODAY + timedelta(days=2)) == [(b.id, "changed phone")]
    assert what(date_to=TODAY) == [(a.id, "case file")]
    assert what(user="nobody@test.example") == []


def _long_ago(person):
    db.session.execute(sa.update(Participant).values(created_at=sa.literal(date(2020, 1, 1))))
    db.session.commit()


def test_the_scheduler_s_retention_run_records_each_erasure_with_no_user(app, world, make_participant):
    gone, also = make_participant(), make_participant()
    _long_ago(gone)
    retention = next(job for job in JOBS if job.name == "retention")
    assert in_context(app, retention)() == {"erased": 2}
    assert logged() == [
        (None, "erased", gone.id, "retention erasure", "scheduler"),
        (None, "erased", also.id, "retention erasure", "scheduler"),
    ]
    assert in_context(app, retention)() == {"erased": 0}
    assert len(logged()) == 2  # nobody erased twice


def test_the_command_line_records_export_erase_and_retention(app, world, make_participant, tmp_path):
    person, old = make_participant(), make_participant()
    runner = app.test_cli_runner()
    assert (
        runner.invoke(main, ["participants", "export", str(person.id), "-o", str(tmp_path / "x.json")]).exit_code == 0
    )
    assert runner.invoke(main, ["participants", "erase", str(person.id)], input="y\n").exit_code == 0
    assert runner.invoke(main, ["participants", "export", "999999"]).exit_code == 1  # nothing shown, nothing logged
    _long_ago(old)
    assert runner.invoke(main, ["retention", "run"]).exit_code == 0
    assert logged() == [
        (None, "exported", person.id, "subject access export", "cli"),
        (None, "erased", person.id, "erasure", "cli"),
        (None, "erased", old.id, "retention erasure", "cli"),
    ]
