"""asset search by index: pg_trgm and trigram indexes on assets.make and assets.model

Revision ID: 7d3f18a2c4b9
Revises: a1c0e55106a1
Create Date: 2026-12-02 10:00:00

"""
from alembic import op


revision = '7d3f18a2c4b9'
down_revision = 'a1c0e55106a1'
branch_labels = None
depends_on = None

# The tag, serial, IMEI and ICCID already have b-tree indexes (unique, or ix_assets_serial); a search by
# the start of a make or model needs trigrams, which only PostgreSQL has. pg_trgm is a trusted extension
# (PostgreSQL 13 and later): the database's owner may create it. SQLite gets plain indexes of the same
# names, so that one set of models describes both databases.
INDEXES = {"ix_assets_make_trgm": "make", "ix_assets_model_trgm": "model"}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        op.create_index(
            name, "assets", [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
        )


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="assets")
    # The extension stays: other schemas or databases' objects may use it, and it costs nothing idle.
