"""A second, empty database beside the suite's, for restores and downgrades that must not touch it."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from inventory import create_app
from tests.conftest import BASE_URL, TODAY


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """SQLite: a new file. PostgreSQL: TEST_RESTORE_DATABASE_URL, or the suite's database name with
    `_restore` on the same server, its public schema emptied (skipped when there is none)."""
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    suite = make_url(database_url)
    url = make_url(os.environ.get("TEST_RESTORE_DATABASE_URL") or suite.set(database=f"{suite.database}_restore"))
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    except sa.exc.OperationalError as error:
        pytest.skip(f"no second PostgreSQL database to restore into ({url.database}): {error.orig}")
    finally:
        engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture
def app_on():
    """An app like the suite's on another database."""
    made = []

    def make(url: str):
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": url,
                "PUBLIC_BASE_URL": BASE_URL,
                "SECRET_KEY": "test",
                "TODAY": TODAY,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            }
        )
        made.append(app)
        return app

    yield make
    from inventory.extensions import db

    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
