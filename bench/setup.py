"""What every benchmark starts from: an empty database built by the migrations, with a DII programme."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa


@contextlib.contextmanager
def fresh_database(url: str):
    """An app context on `url`, emptied (a PostgreSQL database loses its public schema) and migrated,
    holding the DII programme (six months of data); yields the programme."""
    from flask_migrate import upgrade

    from inventory import create_app
    from inventory.extensions import db
    from inventory.services import reference

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        yield reference.create_programme(
            code="DII",
            name="Digital Inclusion Initiative",
            connectivity_months=6,
            ownership_rule="on_assessment_pass",
            assessment_name="L1",
            pass_mark=70,
        )
