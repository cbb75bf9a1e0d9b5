"""pages: found-device reports, forms kept across a sign-out, a programme's contact number

Revision ID: c7a9e2f4b6d1
Revises: 9b1d5e7f3a20
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7a9e2f4b6d1'
down_revision = '9b1d5e7f3a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
    op.create_table('found_reports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tag', sa.String(length=12), nullable=False),
    sa.Column('where_found', sa.String(length=300), nullable=False),
    sa.Column('finder_contact', sa.String(length=200), nullable=True),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('dealt_with_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dealt_with_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dealt_with_by_id'], ['users.id'], name=op.f('fk_found_reports_dealt_with_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_found_reports'))
    )
    op.create_index('ix_found_reports_address_at', 'found_reports', ['address_hash', 'at'])
    op.create_index(op.f('ix_found_reports_tag'), 'found_reports', ['tag'])
    op.create_index(op.f('ix_found_reports_dealt_with_at'), 'found_reports', ['dealt_with_at'])
    op.create_table('kept_forms',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('action', sa.String(length=500), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_forms_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_forms')),
    sa.UniqueConstraint('key', name=op.f('uq_kept_forms_key'))
    )
    op.create_index(op.f('ix_kept_forms_created_at'), 'kept_forms', ['created_at'])
    op.create_index(op.f('ix_kept_forms_user_id'), 'kept_forms', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_kept_forms_user_id'), table_name='kept_forms')
    op.drop_index(op.f('ix_kept_forms_created_at'), table_name='kept_forms')
    op.drop_table('kept_forms')
    op.drop_index(op.f('ix_found_reports_dealt_with_at'), table_name='found_reports')
    op.drop_index(op.f('ix_found_reports_tag'), table_name='found_reports')
    op.drop_index('ix_found_reports_address_at', table_name='found_reports')
    op.drop_table('found_reports')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('contact_phone')
