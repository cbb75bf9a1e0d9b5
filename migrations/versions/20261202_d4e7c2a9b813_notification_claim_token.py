"""notifications: claim_token, the sender's proof that it still owns a row it is sending

Revision ID: d4e7c2a9b813
Revises: a1c0e55106a1
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd4e7c2a9b813'
down_revision = 'a1c0e55106a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('claim_token')
