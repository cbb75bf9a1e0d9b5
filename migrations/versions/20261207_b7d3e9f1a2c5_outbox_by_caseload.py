"""outbox by caseload: each reminder names the advocate whose caseload its participant is on

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
        batch.add_column(sa.Column('caseload_advocate_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_notifications_caseload_advocate_id_users'), 'users', ['caseload_advocate_id'], ['id']
        )
    # A correlated sub-select rather than UPDATE … FROM: the same statement on SQLite and PostgreSQL.
    op.execute(
        "UPDATE notifications SET caseload_advocate_id = "
        "(SELECT advocate_id FROM participants WHERE participants.id = notifications.participant_id) "
        "WHERE participant_id IS NOT NULL"
    )
    # An advocate's outbox: their caseload's rows, newest first, from one index; and the rows sent to
    # them about someone else's participant (or about nobody: digests), from the other.
    op.create_index(
        'ix_notifications_caseload_advocate_id_id_status',
        'notifications',
        ['caseload_advocate_id', 'id', 'status'],
    )
    op.drop_index('ix_notifications_advocate_id_id_status', table_name='notifications')
    op.create_index(
        'ix_notifications_advocate_id_id_status_caseload',
        'notifications',
        ['advocate_id', 'id', 'status', 'caseload_advocate_id'],
    )


def downgrade():
    op.drop_index('ix_notifications_advocate_id_id_status_caseload', table_name='notifications')
    op.create_index('ix_notifications_advocate_id_id_status', 'notifications', ['advocate_id', 'id', 'status'])
    op.drop_index('ix_notifications_caseload_advocate_id_id_status', table_name='notifications')
    with _quietly(), op.batch_alter_table('notifications') as batch:
        batch.drop_constraint(op.f('fk_notifications_caseload_advocate_id_users'), type_='foreignkey')
        batch.drop_column('caseload_advocate_id')
