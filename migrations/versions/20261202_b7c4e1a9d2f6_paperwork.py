"""paperwork: versioned agreement texts per programme, signatures, the version each loan accepted, and
certificates' verification codes

Revision ID: b7c4e1a9d2f6
Revises: 4c8e1a5b9d37
Create Date: 2026-12-02 02:00:00

"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'b7c4e1a9d2f6'
down_revision = '4c8e1a5b9d37'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

# Loans issued before texts were kept accepted an agreement whose wording nobody stored: each programme's
# version 1 says exactly that, so those loans point at a true statement rather than at an invented text.
BEFORE_VERSIONS = (
    "Loan agreement accepted before this service kept agreement texts. The participant accepted "
    "{name}'s loan agreement as it stood on the day the equipment was issued; its wording was not stored."
)
VERIFY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # as services.certificates.new_verify_code


def upgrade():
    op.create_table('agreements',
    sa.Column('id', BigId, nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('version >= 1', name=op.f('ck_agreements_version')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_agreements_created_by_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_agreements_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('programme_id', 'version', name=op.f('uq_agreements_programme_id_version'))
    )
    op.create_table('signatures',
    sa.Column('id', BigId, nullable=False),
    sa.Column('participant_id', BigId, nullable=False),
    sa.Column('method', sa.Enum('drawn', 'verbal', name='signature_method', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('svg', sa.Text(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('erased', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("erased OR (method = 'drawn' AND svg IS NOT NULL) OR (method = 'verbal' AND note IS NOT NULL)", name=op.f('ck_signatures_content')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_signatures_participant_id_participants')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_signatures_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature_required', sa.Boolean(), server_default=sa.false(), nullable=False))

    conn = op.get_bind()
    programmes = sa.table('programmes', sa.column('id'), sa.column('name'))
    loans = sa.table('loans', sa.column('programme_id'), sa.column('issued_on'), sa.column('agreement_id'))
    agreements = sa.table(
        'agreements', sa.column('id'), sa.column('programme_id'), sa.column('version'), sa.column('text'),
        sa.column('sha256'), sa.column('created_on'),
    )
    first_loan = (
        sa.select(sa.func.min(loans.c.issued_on)).where(loans.c.programme_id == programmes.c.id).scalar_subquery()
    )
    for programme_id, name, first in conn.execute(sa.select(programmes.c.id, programmes.c.name, first_loan)).all():
        text = BEFORE_VERSIONS.format(name=name)
        conn.execute(agreements.insert().values(
            programme_id=programme_id, version=1, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
            # The day of the first loan it covers; a programme with none yet: the database's today.
            created_on=first if first is not None else sa.func.current_date(),
        ))

    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_id', BigId, nullable=True))
        batch_op.add_column(sa.Column('signature_id', BigId, nullable=True))
        batch_op.add_column(sa.Column('document_key', sa.String(length=24), nullable=True))
    loan_ids = sa.table('loans', sa.column('id'), sa.column('document_key'))
    for (loan_id,) in conn.execute(sa.select(loan_ids.c.id)).all():
        conn.execute(loan_ids.update().where(loan_ids.c.id == loan_id).values(document_key=secrets.token_hex(12)))
    conn.execute(loans.update().values(agreement_id=(
        sa.select(agreements.c.id)
        .where(agreements.c.programme_id == loans.c.programme_id, agreements.c.version == 1)
        .scalar_subquery()
    )))
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.alter_column('agreement_id', existing_type=BigId, nullable=False)
        batch_op.alter_column('document_key', existing_type=sa.String(length=24), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_loans_document_key'), ['document_key'])
        batch_op.create_foreign_key(batch_op.f('fk_loans_signature_id_signatures'), 'signatures', ['signature_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_loans_agreement_id_agreements'), 'agreements', ['agreement_id'], ['id'])
        # Every loan was issued with the agreement accepted (issuing refused otherwise): the version says it now.
        batch_op.drop_column('agreement_accepted')

    with op.batch_alter_table('loan_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_signature_id', BigId, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_loan_items_return_signature_id_signatures'), 'signatures', ['return_signature_id'], ['id'])

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verify_code', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('signature_id', BigId, nullable=True))
    transfers = sa.table('transfers', sa.column('id'), sa.column('verify_code'))
    for (transfer_id,) in conn.execute(sa.select(transfers.c.id)).all():
        code = "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(16))
        conn.execute(transfers.update().where(transfers.c.id == transfer_id).values(verify_code=code))
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.alter_column('verify_code', existing_type=sa.String(length=24), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_transfers_verify_code'), ['verify_code'])
        batch_op.create_foreign_key(batch_op.f('fk_transfers_signature_id_signatures'), 'signatures', ['signature_id'], ['id'])


def downgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_transfers_signature_id_signatures'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_transfers_verify_code'), type_='unique')
        batch_op.drop_column('signature_id')
        batch_op.drop_column('verify_code')

    with op.batch_alter_table('loan_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_loan_items_return_signature_id_signatures'), type_='foreignkey')
        batch_op.drop_column('return_signature_id')

    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_accepted', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.alter_column('agreement_accepted', existing_type=sa.Boolean(), server_default=None)
        batch_op.drop_constraint(batch_op.f('fk_loans_agreement_id_agreements'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_loans_signature_id_signatures'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_loans_document_key'), type_='unique')
        batch_op.drop_column('document_key')
        batch_op.drop_column('signature_id')
        batch_op.drop_column('agreement_id')

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('signature_required')

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_participant_id'))

    op.drop_table('signatures')
    op.drop_table('agreements')
