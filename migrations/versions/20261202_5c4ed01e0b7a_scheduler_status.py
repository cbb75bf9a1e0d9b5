"""scheduler status: the scheduler's heartbeat and each job's last run, for health and metrics

Revision ID: 5c4ed01e0b7a
Revises: a1c0e55106a1
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5c4ed01e0b7a'
down_revision = 'a1c0e55106a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_result', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_status')),
    sa.UniqueConstraint('name', name=op.f('uq_scheduler_status_name'))
    )


def downgrade():
    op.drop_table('scheduler_status')
