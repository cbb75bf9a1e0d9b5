"""the rest of a loan's life: swaps, SIMs lost or stolen to bar, return dates and their reminders

Revision ID: 4c8e1a5b9d37
Revises: c4e9b2d7a5f1
Create Date: 2026-12-02 02:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '4c8e1a5b9d37'
down_revision = 'c4e9b2d7a5f1'
branch_labels = None
depends_on = None

OLD_KINDS = ('plan_ending', 'plan_ended', 'advocate_digest', 'assessment_due')
NEW_KINDS = OLD_KINDS + ('return_due', 'advocate_return')


def _kinds(values):
    return "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    op.create_table(
        'loan_swaps',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('loan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('out_asset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('in_asset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('swapped_on', sa.Date(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_loan_swaps_by_id_users')),
        sa.ForeignKeyConstraint(['in_asset_id'], ['assets.id'], name=op.f('fk_loan_swaps_in_asset_id_assets')),
        sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_swaps_loan_id_loans')),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_loan_swaps_location_id_locations')),
        sa.ForeignKeyConstraint(['out_asset_id'], ['assets.id'], name=op.f('fk_loan_swaps_out_asset_id_assets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_swaps')),
    )
    with op.batch_alter_table('loan_swaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loan_swaps_loan_id'), ['loan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loan_swaps_out_asset_id'), ['out_asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loan_swaps_in_asset_id'), ['in_asset_id'], unique=False)

    op.create_table(
        'sims_to_bar',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('asset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('loan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column(
            'reason',
            sa.Enum('lost', 'stolen', 'written_off', 'recycled', name='retire_reason', native_enum=False,
                    create_constraint=True, length=11),
            nullable=False,
        ),
        sa.Column('reported_on', sa.Date(), nullable=False),
        sa.Column('barred_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('barred_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_sims_to_bar_asset_id_assets')),
        sa.ForeignKeyConstraint(['barred_by_id'], ['users.id'], name=op.f('fk_sims_to_bar_barred_by_id_users')),
        sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_sims_to_bar_loan_id_loans')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sims_to_bar')),
        sa.UniqueConstraint('asset_id', name=op.f('uq_sims_to_bar_asset_id')),
    )
    with op.batch_alter_table('sims_to_bar', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sims_to_bar_loan_id'), ['loan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sims_to_bar_barred_at'), ['barred_at'], unique=False)

    # Columns first, then their CHECKs: SQLite's batch copy cannot add a column and a CHECK on it in one go.
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loan_weeks', sa.Integer(), nullable=True))
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_check_constraint('loan_weeks', 'loan_weeks BETWEEN 1 AND 520')

    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_loans_due_on'), ['due_on'], unique=False)

    with op.batch_alter_table('loan_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_as', sa.String(length=8), nullable=True))
    with op.batch_alter_table('loan_items', schema=None) as batch_op:
        batch_op.create_check_constraint('item_closure', "closed_as IN ('returned', 'swapped', 'lost', 'stolen')")
    # Everything that came back before this revision came back by a return.
    op.execute("UPDATE loan_items SET closed_as = 'returned' WHERE returned_on IS NOT NULL")

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('loan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True)
        )
        batch_op.create_index(batch_op.f('ix_notifications_loan_id'), ['loan_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_loan_id_loans'), 'loans', ['loan_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint('notification_kind', _kinds(NEW_KINDS))


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind IN ('return_due', 'advocate_return')")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint('notification_kind', _kinds(OLD_KINDS))
        batch_op.drop_constraint(batch_op.f('fk_notifications_loan_id_loans'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_loan_id'))
        batch_op.drop_column('loan_id')
    with op.batch_alter_table('loan_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_loan_items_item_closure'), type_='check')
        batch_op.drop_column('closed_as')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loans_due_on'))
        batch_op.drop_column('due_on')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programmes_loan_weeks'), type_='check')
        batch_op.drop_column('loan_weeks')
    op.drop_table('sims_to_bar')
    op.drop_table('loan_swaps')
