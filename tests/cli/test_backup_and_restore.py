"""`inventory backup` while the service writes, and `inventory restore` into a fresh database: the
restored database is one consistent moment, every invariant holds, and a restore never overwrites data
by accident. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (pg_dump and pg_restore)."""

from __future__ import annotations

import shutil
import threading

import pytest
import sqlalchemy as sa

from inventory.cli import main
from inventory.extensions import db, unit_of_work
from inventory.models import User
from inventory.services import issuing, returns
from tests.conftest import TODAY
from tests.invariants import broken

PAIRS = 40


@pytest.fixture(autouse=True)
def _tools(database_url):
    if database_url.startswith("postgresql") and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")


def run(app, *args):
    with app.app_context():  # the command acts on the current app's database: make it this one
        return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def _count(conn, table: str) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()


def _issue_and_return(app, work, advocate_id, started, stop, done):
    """Issue a tablet and a SIM to each participant in turn, taking every other SIM back, each in a unit
    of work of its own, as requests would."""
    with app.app_context():
        try:
            for i, (participant_id, tablet, sim) in enumerate(work):
                if stop.is_set():
                    break
                actor = db.session.get(User, advocate_id)
                with unit_of_work():
                    issuing.issue(
                        participant_id=participant_id,
                        items=[tablet, sim],
                        agreement_accepted=True,
                        issued_on=TODAY,
                        actor=actor,
                        today=TODAY,
                    )
                if i % 2:
                    with unit_of_work():
                        returns.return_asset(sim, actor, location="WH-MAIN", today=TODAY)
                done.append(i)
                if len(done) == 3:
                    started.set()
        finally:
            started.set()
            db.session.remove()


def test_a_backup_taken_while_loans_are_issued_restores_consistent(
    app, world, make_asset, make_participant, fresh_database_url, app_on, tmp_path
):
    work = [(make_participant().id, make_asset("tablet").tag, make_asset("sim").tag) for _ in range(PAIRS)]
    advocate_id = world.people["advocate"].user.id
    db.session.remove()
    started, stop, done = threading.Event(), threading.Event(), []
    writer = threading.Thread(target=_issue_and_return, args=(app, work, advocate_id, started, stop, done))
    writer.start()
    try:
        assert started.wait(60)
        written_before = len(done)
        backup = tmp_path / "inventory.backup"
        made = run(app, "backup", str(backup))
        written_after = len(done)
    finally:
        writer.join(120)
        stop.set()
    assert made.exit_code == 0, made.output
    assert "Backed up to" in made.output and backup.stat().st_size > 0
    assert 3 <= written_before and written_after < PAIRS, "the backup ran while the writes went on"
    assert len(done) == PAIRS, "the writer was not held up by the backup"

    fresh = app_on(fresh_database_url)
    restored = run(fresh, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    with fresh.app_context(), db.engine.connect() as conn:
        assert broken(conn) == {}
        loans = _count(conn, "loans")
        assert written_before <= loans <= PAIRS
        # One moment, not a mixture: every loan has both its items and its SIM's plan.
        assert _count(conn, "loan_items") == 2 * loans and _count(conn, "data_plans") == loans
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        participants = _count(conn, "participants")
    assert f"schema revision {revision}" in restored.output
    assert f"{loans} loans" in restored.output and f"{participants} participants" in restored.output
    with db.engine.connect() as conn:  # the suite's own database, where the writer finished
        assert broken(conn) == {} and _count(conn, "loans") == PAIRS
        assert revision == conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def test_restore_refuses_a_database_holding_data_unless_forced(app, world, fresh_database_url, app_on, tmp_path):
    backup = tmp_path / "inventory.backup"
    assert run(app, "backup", str(backup)).exit_code == 0
    fresh = app_on(fresh_database_url)
    assert run(fresh, "restore", str(backup)).exit_code == 0
    with fresh.app_context(), unit_of_work():
        db.session.execute(sa.text("DELETE FROM kit_template_lines"))  # a change the backup would undo
    refused = run(fresh, "restore", str(backup))
    assert refused.exit_code == 1
    assert "Not restored: the database is not empty" in refused.output and "users (4)" in refused.output
    with fresh.app_context(), db.engine.connect() as conn:
        assert _count(conn, "kit_template_lines") == 0, "a refused restore changes nothing"
    forced = run(fresh, "restore", "--force", str(backup))
    assert forced.exit_code == 0, forced.output
    with fresh.app_context(), db.engine.connect() as conn:
        assert _count(conn, "kit_template_lines") == 2 and _count(conn, "users") == 4


def test_a_migrated_but_empty_database_takes_a_restore_without_force(app, world, fresh_database_url, app_on, tmp_path):
    from flask_migrate import upgrade

    backup = tmp_path / "inventory.backup"
    assert run(app, "backup", str(backup)).exit_code == 0
    fresh = app_on(fresh_database_url)
    with fresh.app_context():
        upgrade()  # the release step of a new deployment ran first: tables, and the migrations' own rows
    restored = run(fresh, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "4 users" in restored.output


def test_restore_says_so_when_the_file_is_not_a_backup(app, fresh_database_url, app_on, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    refused = run(app_on(fresh_database_url), "restore", str(junk))
    assert refused.exit_code == 1 and "Not restored" in refused.output
