"""delivery receipts: what GOV.UK Notify says became of each sent message

Revision ID: 7d1e11e2ed05
Revises: e5b1f3c8a720
Create Date: 2026-12-02 00:05:45.054140

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d1e11e2ed05'
down_revision = 'e5b1f3c8a720'
branch_labels = None
depends_on = None


def upgrade():
    # In two steps: SQLite's batch copy cannot add a column and a CHECK on it in one go.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_status', sa.String(length=17), nullable=True))
        batch_op.add_column(sa.Column('delivery_reported_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'delivery_status',
            "delivery_status IN ('delivered', 'permanent-failure', 'temporary-failure', 'technical-failure')",
        )


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_delivery_status'), type_='check')
        batch_op.drop_column('delivery_reported_at')
        batch_op.drop_column('delivery_status')

