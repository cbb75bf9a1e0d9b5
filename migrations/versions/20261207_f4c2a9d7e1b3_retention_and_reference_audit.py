"""retention and reference audit: idempotency keys purged by their created_at index

Revision ID: f4c2a9d7e1b3
Revises: e8b3f1a6c2d4
Create Date: 2026-12-07 21:20:00

"""
from alembic import op


revision = 'f4c2a9d7e1b3'
down_revision = 'e8b3f1a6c2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_idempotency_keys_created_at', 'idempotency_keys', ['created_at'])


def downgrade():
    op.drop_index('ix_idempotency_keys_created_at', table_name='idempotency_keys')
