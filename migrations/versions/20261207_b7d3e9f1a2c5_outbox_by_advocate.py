"""outbox by advocate: each reminder names the advocate whose outbox lists it (the participant's, kept in step)

Revision ID: b7d3e9f1a2c5
Revises: e8b3f1a6c2d4
Create Date: 2026-12-07 21:10:00

"""
import contextlib
import warnings

import sqlalchemy as sa
from alembic import op


revision = 'b7d3e9f1a2c5'
down_revision = 'e8b3f1a6c2d4'
branch_labels = None
depends_on = None


@contextlib.contextmanager
def _quietly():
    """SQLite's batch mode copies the table, reflecting every table it refers to, down to the assets'
    expression indexes, which SQLAlchemy cannot reflect (and says so): none of those is copied."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning)
        yield


def upgrade():
    with _quietly(), op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('outbox_advocate_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_notifications_outbox_advocate_id_users'), 'users', ['outbox_advocate_id'], ['id']
        )
    # A correlated sub-select rather than UPDATE … FROM: the same statement on SQLite and PostgreSQL.
    # A row about a participant is their advocate's; a row about nobody (a digest), its addressee's.
    op.execute(
        "UPDATE notifications SET outbox_advocate_id = COALESCE("
        "(SELECT advocate_id FROM participants WHERE participants.id = notifications.participant_id), advocate_id)"
    )
    # An advocate's outbox, newest first, and its counts by status: one range of one index.
    op.create_index(
        'ix_notifications_outbox_advocate_id_id_status', 'notifications', ['outbox_advocate_id', 'id', 'status']
    )


def downgrade():
    op.drop_index('ix_notifications_outbox_advocate_id_id_status', table_name='notifications')
    with _quietly(), op.batch_alter_table('notifications') as batch:
        batch.drop_constraint(op.f('fk_notifications_outbox_advocate_id_users'), type_='foreignkey')
        batch.drop_column('outbox_advocate_id')
