"""The migrations build exactly the models' schema, and there is one head."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from inventory.extensions import db


def test_there_is_one_head():
    config = current_app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


# SQLite's reflection cannot read an index on an expression (the prefix indexes on lower(make) and
# lower(model)); alembic then leaves them out of the comparison on both sides.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
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


def test_loans_and_certificates_from_before_the_paperwork_stay_readable(tmp_path):
    """Loans from before agreement texts were kept point at a version 1 that says so; older certificates
    get verification codes; going back restores the yes/no."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from inventory import create_app
    from inventory.extensions import db as database

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite3"})
    rows = [
        "INSERT INTO programmes (id, code, name, connectivity_months, ownership_rule, assessment_name, pass_mark,"
        " reminder_days) VALUES (1, 'P', 'Pathways', 6, 'on_issue', 'A', 50, '[30]')",
        "INSERT INTO users (id, email, name, role, active, created_at)"
        " VALUES (1, 'a@b.c', '', 'advocate', 1, '2026-01-01')",
        "INSERT INTO participants (id, reference, area, referral_source, programme_id, contact_consent, advocate_id,"
        " created_at, enrolled_on) VALUES (1, 'R1', 'Halton', 'other', 1, 0, 1, '2026-01-01', '2026-01-01')",
        "INSERT INTO loans (id, participant_id, programme_id, issued_on, issued_by_id, agreement_accepted, created_at)"
        " VALUES (1, 1, 1, '2026-02-03', 1, 1, '2026-02-03')",
        "INSERT INTO transfers (id, participant_id, programme_id, transferred_on, created_at)"
        " VALUES (1, 1, 1, '2026-02-03', '2026-02-03')",
    ]
    with app.app_context():
        upgrade(revision="7d3f18a2c4b9")
        with database.engine.begin() as conn:
            for row in rows:
                conn.execute(sa.text(row))
        upgrade()
        with database.engine.connect() as conn:
            version, text, created = conn.execute(
                sa.text(
                    "SELECT a.version, a.text, a.created_on FROM loans l JOIN agreements a ON a.id = l.agreement_id"
                )
            ).one()
            assert version == 1 and "its wording was not stored" in text and created == "2026-02-03"
            code = conn.execute(sa.text("SELECT verify_code FROM transfers")).scalar()
            assert len(code) == 16
            assert conn.execute(sa.text("SELECT document_key FROM loans")).scalar()
        downgrade(revision="7d3f18a2c4b9")
        with database.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT agreement_accepted FROM loans")).scalar() == 1
        database.engine.dispose()
