"""retention and reference audit: idempotency keys purged by their created_at index; the reference_changes table

Revision ID: f4c2a9d7e1b3
Revises: b7d3e9f1a2c5
Create Date: 2026-12-07 21:20:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'f4c2a9d7e1b3'
down_revision = 'b7d3e9f1a2c5'
branch_labels = None
depends_on = None

# As for the access log (a1c0e55106a1): the database itself refuses to change or delete a row of the trail,
# whatever the client. (TRUNCATE and DROP stay with the table's owner, as for any table.)
APPEND_ONLY = {
    "postgresql": [
        """
        CREATE FUNCTION reference_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the reference-data audit trail is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        """
        CREATE TRIGGER reference_changes_append_only BEFORE UPDATE OR DELETE ON reference_changes
        FOR EACH ROW EXECUTE FUNCTION reference_changes_append_only()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER reference_changes_no_update BEFORE UPDATE ON reference_changes
        BEGIN SELECT RAISE(ABORT, 'the reference-data audit trail is append-only: UPDATE refused'); END
        """,
        """
        CREATE TRIGGER reference_changes_no_delete BEFORE DELETE ON reference_changes
        BEGIN SELECT RAISE(ABORT, 'the reference-data audit trail is append-only: DELETE refused'); END
        """,
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER reference_changes_append_only ON reference_changes",
        "DROP FUNCTION reference_changes_append_only()",
    ],
    "sqlite": ["DROP TRIGGER reference_changes_no_update", "DROP TRIGGER reference_changes_no_delete"],
}


def upgrade():
    op.create_index('ix_idempotency_keys_created_at', 'idempotency_keys', ['created_at'])
    op.create_table(
        'reference_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column(
            'action',
            sa.Enum('changed', 'deactivated', 'reactivated', name='reference_action', native_enum=False,
                    create_constraint=True),
            nullable=False,
        ),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reference_changes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_changes')),
    )
    op.create_index('ix_reference_changes_at_id', 'reference_changes', ['at', 'id'])
    op.create_index('ix_reference_changes_kind_code_at', 'reference_changes', ['kind', 'code', 'at'])
    op.create_index(op.f('ix_reference_changes_user_id'), 'reference_changes', ['user_id'])
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index(op.f('ix_reference_changes_user_id'), table_name='reference_changes')
    op.drop_index('ix_reference_changes_kind_code_at', table_name='reference_changes')
    op.drop_index('ix_reference_changes_at_id', table_name='reference_changes')
    op.drop_table('reference_changes')
    op.drop_index('ix_idempotency_keys_created_at', table_name='idempotency_keys')
