"""hub statuses: assets and kits may be in_transit (in a consignment), assets missing

Revision ID: 4b7e9c1d2a06
Revises: 7d3f18a2c4b9
Create Date: 2026-12-02 02:00:00

"""
from alembic import op


revision = '4b7e9c1d2a06'
down_revision = '7d3f18a2c4b9'
branch_labels = None
depends_on = None

ASSET_BEFORE = ('received', 'in_stock', 'in_kit', 'on_loan', 'owned', 'quarantine', 'repair', 'retired')
ASSET_AFTER = ASSET_BEFORE + ('in_transit', 'missing')
KIT_BEFORE = ('assembled', 'on_loan', 'owned', 'dismantled')
KIT_AFTER = ('assembled', 'on_loan', 'in_transit', 'owned', 'dismantled')


def _allow(table: str, constraint: str, values: tuple[str, ...]) -> None:
    # The statuses are text with a CHECK (models.columns.enum_type); the new values fit the column's length.
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(constraint), type_="check")
        batch_op.create_check_constraint(op.f(constraint), f"status IN ({listed})")


def upgrade():
    _allow("assets", "ck_assets_asset_status", ASSET_AFTER)
    _allow("kits", "ck_kits_kit_status", KIT_AFTER)


def downgrade():
    # Refuses (the CHECK fails) while any asset or kit is in one of the new states: nothing is lost silently.
    _allow("kits", "ck_kits_kit_status", KIT_BEFORE)
    _allow("assets", "ck_assets_asset_status", ASSET_BEFORE)
