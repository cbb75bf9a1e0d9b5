"""search by index: pg_trgm; trigram indexes on assets' make and model and participants' reference and name

Revision ID: 7d3f18a2c4b9
Revises: 7d1e11e2ed05
Create Date: 2026-12-02 10:00:00

"""
from alembic import op


revision = '7d3f18a2c4b9'
down_revision = '7d1e11e2ed05'
branch_labels = None
depends_on = None

# The tag, serial, IMEI and ICCID already have b-tree indexes (unique, or ix_assets_serial); a search by
# the start of a make or model, or by a piece of a participant's reference or name, needs trigrams, which only
# PostgreSQL has. pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may create
# it. SQLite gets plain indexes of the same names, so that one set of models describes both databases.
TRIGRAM_INDEXES = {
    "ix_assets_make_trgm": ("assets", "make"),
    "ix_assets_model_trgm": ("assets", "model"),
    "ix_participants_reference_trgm": ("participants", "reference"),
    "ix_participants_name_trgm": ("participants", "name"),
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        op.create_index(name, table, [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
    # `?reference=` without a programme: the unique (programme_id, reference) cannot answer it.
    op.create_index("ix_participants_reference", "participants", ["reference"])


def downgrade():
    op.drop_index("ix_participants_reference", table_name="participants")
    for name, (table, _) in TRIGRAM_INDEXES.items():
        op.drop_index(name, table_name=table)
    # The extension stays: other objects may use it, and it costs nothing idle.
