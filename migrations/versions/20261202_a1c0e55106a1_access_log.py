"""access log: who opened, listed, exported, changed or erased which participant's record (append-only)

Revision ID: a1c0e55106a1
Revises: 2fa0d1ce5e70
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c0e55106a1'
down_revision = '2fa0d1ce5e70'
branch_labels = None
depends_on = None

# The database itself refuses to change or delete a row of the log, whatever the client. (TRUNCATE and
# DROP stay with the table's owner, as for any table.)
APPEND_ONLY = {
    "postgresql": [
        """
        CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        """
        CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
        FOR EACH ROW EXECUTE FUNCTION access_log_append_only()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE refused'); END
        """,
        """
        CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE refused'); END
        """,
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER access_log_append_only ON access_log",
        "DROP FUNCTION access_log_append_only()",
    ],
    "sqlite": ["DROP TRIGGER access_log_no_update", "DROP TRIGGER access_log_no_delete"],
}


def upgrade():
    op.create_table('access_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('viewed', 'listed', 'exported', 'created', 'changed', 'reassigned', 'erased', name='access_action', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('participant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('what', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.Enum('api', 'web', 'cli', 'scheduler', name='access_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_access_log_participant_id_participants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index('ix_access_log_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_user_id'), ['user_id'], unique=False)
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_participant_id'))
        batch_op.drop_index('ix_access_log_at')

    op.drop_table('access_log')
