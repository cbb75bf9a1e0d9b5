"""participants enrolled on: the date reports count people helped by

Revision ID: c3a1e0d5f7b2
Revises: 8e446bac68ec
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3a1e0d5f7b2'
down_revision = '8e446bac68ec'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolled_on', sa.Date(), nullable=True))
    # Those already recorded enrolled on the day their row was written.
    op.execute("UPDATE participants SET enrolled_on = CAST(created_at AS DATE)"
               if op.get_bind().dialect.name == "postgresql" else
               "UPDATE participants SET enrolled_on = date(created_at)")
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.alter_column('enrolled_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_participants_enrolled_on'), ['enrolled_on'], unique=False)


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_enrolled_on'))
        batch_op.drop_column('enrolled_on')
