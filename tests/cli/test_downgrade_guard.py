"""`inventory db downgrade` refuses to drop tables (or columns) that hold rows unless --force, and says
which and how many; downgrades that lose nothing go ahead. On a database of their own, never the suite's."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from inventory.cli import main
from inventory.config import PROJECT_ROOT
from inventory.downgrades import dropped_by, revisions_undone
from inventory.extensions import db, unit_of_work
from inventory.services import reference

ACCESS_LOG = "a1c0e55106a1"  # creates the access_log table
BELOW_ACCESS_LOG = "2fa0d1ce5e70"
LABEL_PRINTED_AT = "48c653815d2f"  # adds assets.label_printed_at


def run(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def _script() -> ScriptDirectory:
    return ScriptDirectory(str(PROJECT_ROOT / "migrations"))


def _migrated(app_on, url):
    app = app_on(url)
    assert run(app, "db", "upgrade").exit_code == 0
    return app


def _state(app):
    with app.app_context(), db.engine.connect() as conn:
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return revision, set(sa.inspect(conn).get_table_names())


def test_the_scripts_say_what_their_downgrades_drop():
    script = _script()
    assert dropped_by(script.get_revision(ACCESS_LOG)) == [("access_log", None)]
    assert ("assets", "label_printed_at") in dropped_by(script.get_revision(LABEL_PRINTED_AT))
    head = script.get_current_head()
    assert [r.revision for r in revisions_undone(script, head, BELOW_ACCESS_LOG)][-1] == ACCESS_LOG
    assert len(revisions_undone(script, head, "base")) == len(list(script.walk_revisions()))
    assert [r.revision for r in revisions_undone(script, head, "-1")] == [head]


def test_a_downgrade_that_would_drop_tables_holding_rows_is_refused_and_changes_nothing(fresh_database_url, app_on):
    app = _migrated(app_on, fresh_database_url)
    with app.app_context(), unit_of_work():
        reference.create_organisation(code="OPS", name="Warehouse operator")
    before = _state(app)
    refused = run(app, "db", "downgrade", "base")
    assert refused.exit_code == 1
    assert "would delete data" in refused.output and "table organisations: 1 row(s)" in refused.output
    assert "tag_counter" not in refused.output, "the migrations' own row is not data"
    assert "Nothing was changed" in refused.output
    assert _state(app) == before


def test_a_downgrade_dropping_only_empty_tables_goes_ahead(fresh_database_url, app_on):
    app = _migrated(app_on, fresh_database_url)
    with app.app_context(), unit_of_work():
        reference.create_organisation(code="OPS", name="Warehouse operator")  # a table the downgrade keeps
    done = run(app, "db", "downgrade", BELOW_ACCESS_LOG)
    assert done.exit_code == 0, done.output
    revision, tables = _state(app)
    assert revision == BELOW_ACCESS_LOG and "access_log" not in tables and "organisations" in tables


def test_force_drops_them(fresh_database_url, app_on):
    app = _migrated(app_on, fresh_database_url)
    with app.app_context(), unit_of_work():
        reference.create_organisation(code="OPS", name="Warehouse operator")
    done = run(app, "db", "downgrade", "--force", "base")
    assert done.exit_code == 0, done.output
    assert "Dropping table organisations: 1 row(s) (--force)" in done.output
    revision, tables = _state(app)
    assert revision is None and "organisations" not in tables
