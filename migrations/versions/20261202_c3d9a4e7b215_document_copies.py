"""notifications: copies of the handover record and the ownership certificate for the participant
(kinds handover and certificate, with the loan or transfer they send)

Revision ID: c3d9a4e7b215
Revises: b7c4e1a9d2f6
Create Date: 2026-12-02 02:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d9a4e7b215'
down_revision = 'b7c4e1a9d2f6'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# The loan's return-date reminders (4c8e1a5b9d37) come before this revision.
BEFORE = ('plan_ending', 'plan_ended', 'advocate_digest', 'assessment_due', 'return_due', 'advocate_return')
AFTER = BEFORE + ('handover', 'certificate')


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        # notifications.loan_id is there already: the return-date reminders name their loan too.
        batch_op.add_column(sa.Column('transfer_id', BigId, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_transfer_id_transfers'), 'transfers', ['transfer_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notifications_notification_kind'), _kinds(AFTER))


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind IN ('handover', 'certificate')")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notifications_notification_kind'), _kinds(BEFORE))
        batch_op.drop_constraint(batch_op.f('fk_notifications_transfer_id_transfers'), type_='foreignkey')
        batch_op.drop_column('transfer_id')
