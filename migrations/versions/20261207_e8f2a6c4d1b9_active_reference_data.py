"""edits: programmes, organisations, locations and kit templates can be deactivated

Revision ID: e8f2a6c4d1b9
Revises: c7a9e2f4b6d1
Create Date: 2026-12-07 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e8f2a6c4d1b9'
down_revision = 'c7a9e2f4b6d1'
branch_labels = None
depends_on = None

TABLES = ('programmes', 'organisations', 'locations', 'kit_templates')


def upgrade():
    # Every existing row stays in use: the server default fills it in.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('active')
