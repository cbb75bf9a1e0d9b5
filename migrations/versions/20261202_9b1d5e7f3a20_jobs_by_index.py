"""jobs by index: date indexes for the nightly retention's look-back, and the purge of old sent reminders

Revision ID: 9b1d5e7f3a20
Revises: 0c7c0e5a11ed
Create Date: 2026-12-02 03:00:00

"""
from alembic import op


revision = '9b1d5e7f3a20'
down_revision = '0c7c0e5a11ed'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_loan_items_returned_on': ('loan_items', ['returned_on']),
    'ix_data_plans_ended_on': ('data_plans', ['ended_on']),
    'ix_participants_created_at': ('participants', ['created_at']),
    'ix_notifications_status_sent_at': ('notifications', ['status', 'sent_at']),
}


def upgrade():
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade():
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
