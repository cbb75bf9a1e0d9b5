"""retention and reference audit: idempotency keys purged by their created_at index; the reference_changes table

Revision ID: f4c2a9d7e1b3
Revises: e8b3f1a6c2d4
Create Date: 2026-12-07 21:20:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'f4c2a9d7e1b3'
down_revision = 'e8b3f1a6c2d4'
branch_labels = None
depends_on = None


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


def downgrade():
    op.drop_index(op.f('ix_reference_changes_user_id'), table_name='reference_changes')
    op.drop_index('ix_reference_changes_kind_code_at', table_name='reference_changes')
    op.drop_index('ix_reference_changes_at_id', table_name='reference_changes')
    op.drop_table('reference_changes')
    op.drop_index('ix_idempotency_keys_created_at', table_name='idempotency_keys')
