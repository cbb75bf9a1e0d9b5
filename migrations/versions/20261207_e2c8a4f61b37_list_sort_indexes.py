"""list sort indexes: the asset list's sorts, the data plans list and the access log, each with the id

Revision ID: e2c8a4f61b37
Revises: e8f2a6c4d1b9
Create Date: 2026-12-07 18:00:00

"""
from alembic import op


revision = 'e2c8a4f61b37'
down_revision = 'e8f2a6c4d1b9'
branch_labels = None
depends_on = None

# (index, table, columns): each list's order with the id last, so that a page that starts after
# (key, id) is a range scan of its index however deep it is.
INDEXES = (
    ('ix_assets_type_id', 'assets', ['type', 'id']),
    ('ix_assets_status_id', 'assets', ['status', 'id']),
    ('ix_assets_make_model_id', 'assets', ['make', 'model', 'id']),
    ('ix_data_plans_ends_on_id', 'data_plans', ['ends_on', 'id']),
    ('ix_access_log_at_id', 'access_log', ['at', 'id']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
