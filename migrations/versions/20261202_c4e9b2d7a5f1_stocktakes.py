"""stocktakes: counts of a location against what should be there

Revision ID: c4e9b2d7a5f1
Revises: 9c4a5e7f1b32
Create Date: 2026-12-02 01:54:10

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e9b2d7a5f1'
down_revision = '9c4a5e7f1b32'
branch_labels = None
depends_on = None


# Two tables, new: nothing to rebuild. The partial unique index (one open count per location) is
# written the same way on SQLite and PostgreSQL.
def upgrade():
    op.create_table('stocktakes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='stocktake_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('missing_choice', sa.Enum('mark_missing', 'leave', name='stocktake_missing', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('unexpected_choice', sa.Enum('move_here', 'leave', name='stocktake_unexpected', native_enum=False, create_constraint=True), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_stocktakes_closed_by_id_users')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stocktakes_location_id_locations')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_stocktakes_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktakes'))
    )
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.create_index('ix_stocktakes_location_id_closed_at', ['location_id', 'closed_at'], unique=False)
        batch_op.create_index('uq_stocktakes_open_location', ['location_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('stocktake_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stocktake_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('asset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('expected', sa.Boolean(), nullable=False),
    sa.Column('recorded_status', sa.String(length=20), nullable=False),
    sa.Column('recorded_location_id', sa.Integer(), nullable=True),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('found_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('marked_missing', 'moved_here', 'found', 'left', name='stocktake_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('outcome_note', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_stocktake_lines_asset_id_assets')),
    sa.ForeignKeyConstraint(['found_by_id'], ['users.id'], name=op.f('fk_stocktake_lines_found_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_location_id'], ['locations.id'], name=op.f('fk_stocktake_lines_recorded_location_id_locations')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.id'], name=op.f('fk_stocktake_lines_stocktake_id_stocktakes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake_lines')),
    sa.UniqueConstraint('stocktake_id', 'asset_id', name=op.f('uq_stocktake_lines_stocktake_id_asset_id'))
    )
    with op.batch_alter_table('stocktake_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktake_lines_asset_id'), ['asset_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stocktake_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stocktake_lines_asset_id'))

    op.drop_table('stocktake_lines')
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.drop_index('uq_stocktakes_open_location', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index('ix_stocktakes_location_id_closed_at')

    op.drop_table('stocktakes')
