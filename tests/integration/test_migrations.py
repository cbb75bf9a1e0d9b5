"""The migrations build exactly the models' schema, and there is one head."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from inventory.extensions import db


def test_there_is_one_head():
    config = current_app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_the_migrated_database_matches_the_models():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrading_a_database_that_holds_kits_keeps_every_row(tmp_path):
    """SQLite rebuilds a table to change a constraint; rows that point at it must survive."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from inventory import create_app
    from inventory.extensions import db as database

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite3"})
    with app.app_context():
        upgrade(revision="bb36de9dac86")
        with database.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO locations (id, code, name, kind, area) VALUES (1, 'W', 'W', 'warehouse', 'Halton')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO kits (id, tag, status, location_id, created_at) "
                    "VALUES (1, 'KKKKKKK', 'assembled', 1, '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO assets (id, tag, type, make, model, status, location_id, kit_id, received_at) "
                    "VALUES (1, 'AAAAAAA', 'chair', 'M', 'C', 'in_kit', 1, 1, '2026-01-01')"
                )
            )
        upgrade()
        with database.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT kit_id FROM assets")).scalar() == 1
            conn.execute(sa.text("UPDATE kits SET status = 'owned'"))  # allowed by the new constraint
        downgrade(revision="bb36de9dac86")
        database.engine.dispose()
