"""serial unique per maker whatever the case of the maker's name; no separate indexes on serial and on status; kit index of kit items only

Revision ID: f4a7c2e9b1d3
Revises: f4c2a9d7e1b3
Create Date: 2026-12-07 21:30:00

"""
import contextlib
import warnings

import sqlalchemy as sa
from alembic import op


revision = 'f4a7c2e9b1d3'
down_revision = 'f4c2a9d7e1b3'
branch_labels = None
depends_on = None

SHOWN = 20  # clashes named in the refusal


def _refuse_clashes(conn):
    """Stop, naming them, if assets already share a serial under makers that differ only in case: the
    new index would refuse them, and which of them is right is for a person to decide."""
    clashes = conn.execute(
        sa.text(
            "SELECT serial, lower(make) AS maker, count(*) AS n FROM assets WHERE serial IS NOT NULL "
            "GROUP BY serial, lower(make) HAVING count(*) > 1 ORDER BY serial, lower(make)"
        )
    ).all()
    if not clashes:
        return
    listed = ", ".join(f"{serial} (make {maker}, {n} assets)" for serial, maker, n in clashes[:SHOWN])
    more = f" and {len(clashes) - SHOWN} more" if len(clashes) > SHOWN else ""
    raise RuntimeError(
        f"{len(clashes)} serial number{'s are' if len(clashes) != 1 else ' is'} stored more than once for one "
        f"maker written in different cases: {listed}{more}. Correct the make or serial of all but one asset "
        "of each (the asset page's details), then upgrade again."
    )


@contextlib.contextmanager
def _assets_rebuilt():
    """A batch on assets; SQLite's rebuild warns that it skips the indexes on expressions (put back after)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning)
        with op.batch_alter_table('assets', schema=None) as batch_op:
            yield batch_op


def _prefix_indexes_back():
    # SQLite rebuilds the table to drop a constraint, and the rebuild cannot carry indexes on expressions
    # (alembic cannot read them back): put the make and model prefix indexes (20261207_e8b3f1a6c2d4) back.
    if op.get_bind().dialect.name == "sqlite":
        for column in ("make", "model"):
            op.execute(f"CREATE INDEX IF NOT EXISTS ix_assets_{column}_prefix ON assets (lower({column}))")


def upgrade():
    conn = op.get_bind()
    _refuse_clashes(conn)
    with _assets_rebuilt() as batch_op:
        batch_op.drop_constraint('uq_assets_make_serial', type_='unique')
        batch_op.drop_index('ix_assets_serial')  # the unique index below starts with serial
        batch_op.drop_index('ix_assets_status')  # ix_assets_status_id starts with status
    _prefix_indexes_back()
    op.create_index(
        'uq_assets_serial_make', 'assets', ['serial', sa.text('lower(make)')], unique=True
    )
    # Only assets in a kit (few) in the kit index: a new asset, in none, has nothing to add to it.
    op.drop_index('ix_assets_kit_id', table_name='assets')
    op.create_index(
        'ix_assets_kit_id', 'assets', ['kit_id'],
        postgresql_where=sa.text('kit_id IS NOT NULL'), sqlite_where=sa.text('kit_id IS NOT NULL'),
    )


def downgrade():
    op.drop_index('ix_assets_kit_id', table_name='assets')
    op.create_index('ix_assets_kit_id', 'assets', ['kit_id'])
    op.drop_index('uq_assets_serial_make', table_name='assets')
    with _assets_rebuilt() as batch_op:
        # Always possible: the index dropped above was the stricter rule.
        batch_op.create_unique_constraint('uq_assets_make_serial', ['make', 'serial'])
        batch_op.create_index('ix_assets_serial', ['serial'], unique=False)
        batch_op.create_index('ix_assets_status', ['status'], unique=False)
    _prefix_indexes_back()
