"""The migration that makes a serial unique per maker whatever the case of the maker's name refuses,
naming them, while stored assets already clash, and goes ahead once they are corrected; on a database
of its own (SQLite or PostgreSQL), never the suite's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from flask import current_app
from flask_migrate import downgrade, upgrade

from inventory.extensions import db

BEFORE = "f4c2a9d7e1b3"
REVISION = "f4a7c2e9b1d3"


def _insert_assets(rows):
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO locations (id, code, name, kind, area) VALUES (1, 'W', 'W', 'warehouse', 'Halton')")
        )
        for n, (make, serial) in enumerate(rows, start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO assets (id, tag, type, make, model, serial, status, location_id, received_at) "
                    "VALUES (:id, :tag, 'laptop', :make, 'L', :serial, 'in_stock', 1, '2026-01-01')"
                ),
                {"id": n, "tag": f"AAAAAA{n}", "make": make, "serial": serial},
            )


def _index_definitions() -> dict[str, str]:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'assets'"
        else:
            query = "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = 'assets'"
        return {name: definition for name, definition in conn.execute(sa.text(query))}


def _indexes() -> set[str]:
    return set(_index_definitions())


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
def test_assets_clashing_by_the_case_of_their_maker_stop_the_upgrade_until_corrected(fresh_database_url, app_on):
    app = app_on(fresh_database_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        _insert_assets([("Dell", "CN01"), ("dell", "CN01"), ("DELL", "CN01"), ("HP", "X9"), ("hp", "X9"), ("HP", "A1")])

        with pytest.raises(RuntimeError) as refused:  # `flask db upgrade` prints it and exits 1
            command.upgrade(current_app.extensions["migrate"].migrate.get_config(), "head")
        message = str(refused.value)
        assert "2 serial numbers are stored more than once" in message
        assert "CN01 (make dell, 3 assets)" in message and "X9 (make hp, 2 assets)" in message
        assert "A1" not in message
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == BEFORE
            assert conn.execute(sa.text("SELECT count(*) FROM assets")).scalar() == 6

        with db.engine.begin() as conn:  # a person corrects them
            conn.execute(sa.text("UPDATE assets SET serial = serial || '-' || id WHERE id IN (2, 3, 5)"))
        upgrade()
        indexes = _indexes()
        assert {"uq_assets_serial_make", "ix_assets_make_prefix", "ix_assets_model_prefix"} <= indexes
        assert not {"ix_assets_serial", "ix_assets_status"} & indexes
        assert "WHERE kit_id IS NOT NULL" in _index_definitions()["ix_assets_kit_id"].replace("(", "").replace(")", "")
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO assets (id, tag, type, make, model, serial, status, location_id, received_at) "
                    "VALUES (9, 'AAAAAA9', 'laptop', 'dELL', 'L', 'CN01', 'in_stock', 1, '2026-01-01')"
                )
            )

        downgrade(revision=BEFORE)  # the old rule is looser: always possible
        indexes = _indexes()
        assert "uq_assets_serial_make" not in indexes
        assert {"ix_assets_serial", "ix_assets_status", "ix_assets_make_prefix", "ix_assets_model_prefix"} <= indexes
        assert "WHERE" not in _index_definitions()["ix_assets_kit_id"]
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM assets")).scalar() == 6
        db.engine.dispose()
