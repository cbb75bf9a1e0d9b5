"""kept counts: stock_counts, kit_counts and deliveries, filled from the rows they count

Revision ID: 5ca1e0c0a7e1
Revises: c3d9a4e7b215
Create Date: 2026-12-02 02:20:00

"""
import sqlalchemy as sa
from alembic import op


revision = '5ca1e0c0a7e1'
down_revision = 'c3d9a4e7b215'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stock_counts',
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_counts_location_id_locations')),
        sa.PrimaryKeyConstraint('location_id', 'type', 'status', name=op.f('pk_stock_counts')),
    )
    op.create_table(
        'kit_counts',
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_kit_counts_location_id_locations')),
        sa.PrimaryKeyConstraint('location_id', 'template_id', 'status', name=op.f('pk_kit_counts')),
    )
    op.create_table(
        'deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(length=32), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('assets', sa.Integer(), nullable=False),
        sa.Column('labelled', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
        sa.UniqueConstraint('batch', name=op.f('uq_deliveries_batch')),
    )
    op.create_index(op.f('ix_deliveries_received_at'), 'deliveries', ['received_at'], unique=False)
    # What is there already, counted once; from here on the app keeps them.
    op.execute(
        "INSERT INTO stock_counts (location_id, type, status, count) "
        "SELECT location_id, type, status, count(*) FROM assets WHERE location_id IS NOT NULL "
        "GROUP BY location_id, type, status"
    )
    op.execute(
        "INSERT INTO kit_counts (location_id, template_id, status, count) "
        "SELECT location_id, coalesce(template_id, 0), status, count(*) FROM kits WHERE location_id IS NOT NULL "
        "GROUP BY location_id, coalesce(template_id, 0), status"
    )
    op.execute(
        "INSERT INTO deliveries (batch, received_at, assets, labelled) "
        "SELECT batch, min(received_at), count(*), count(label_printed_at) FROM assets WHERE batch IS NOT NULL "
        "GROUP BY batch"
    )


def downgrade():
    op.drop_index(op.f('ix_deliveries_received_at'), table_name='deliveries')
    op.drop_table('deliveries')
    op.drop_table('kit_counts')
    op.drop_table('stock_counts')
