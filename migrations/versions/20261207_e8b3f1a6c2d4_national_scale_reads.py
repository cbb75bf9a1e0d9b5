"""national scale reads: outcome counts by month; prefix b-trees for make and model; outbox, caseload and batch indexes

Revision ID: e8b3f1a6c2d4
Revises: a3f8c1d5e907
Create Date: 2026-12-07 18:30:00

"""
from collections import Counter
from datetime import date

import sqlalchemy as sa
from alembic import op


revision = 'e8b3f1a6c2d4'
down_revision = 'a3f8c1d5e907'
branch_labels = None
depends_on = None


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _fill_months(conn):
    """The daily outcome counts added up by month (in Python: SQLite and PostgreSQL name a date's month
    differently); from here on the app keeps both."""
    months = Counter()
    rows = conn.execute(sa.text("SELECT metric, programme_id, area, day, kind, count FROM outcome_counts"))
    for metric, programme_id, area, day, kind, count in rows:
        months[(metric, programme_id, area, _day(day).replace(day=1), kind)] += count
    table = sa.table(
        "outcome_month_counts",
        sa.column("metric"), sa.column("programme_id"), sa.column("area"), sa.column("month", sa.Date),
        sa.column("kind"), sa.column("count"),
    )
    values = [
        {"metric": m, "programme_id": p, "area": a, "month": d, "kind": k, "count": n}
        for (m, p, a, d, k), n in months.items()
        if n
    ]
    for start in range(0, len(values), 1000):
        conn.execute(table.insert(), values[start : start + 1000])


def _prefix_index(column):
    op.create_index(
        f"ix_assets_{column}_prefix",
        "assets",
        [sa.text(f"lower({column}) text_pattern_ops") if op.get_bind().dialect.name == "postgresql" else sa.text(f"lower({column})")],
        postgresql_include=["id", column],
    )


def upgrade():
    op.create_table(
        'outcome_month_counts',
        sa.Column('metric', sa.String(length=30), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=20), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['programme_id'], ['programmes.id'], name=op.f('fk_outcome_month_counts_programme_id_programmes')
        ),
        sa.PrimaryKeyConstraint(
            'metric', 'programme_id', 'area', 'month', 'kind', name=op.f('pk_outcome_month_counts')
        ),
    )
    _fill_months(op.get_bind())

    # Search by the start of a make or model: b-trees in byte order on the lower-case text, answering the
    # range from the index alone, in place of the trigram indexes (which had to visit every matching row).
    op.drop_index("ix_assets_make_trgm", table_name="assets")
    op.drop_index("ix_assets_model_trgm", table_name="assets")
    _prefix_index("make")
    _prefix_index("model")

    # The deliveries page names each batch by what it brought: from the index alone.
    op.drop_index("ix_assets_batch", table_name="assets")
    op.create_index(
        "ix_assets_batch_type_make", "assets", ["batch", "type", "make"], postgresql_include=["received_at"]
    )

    # An advocate's outbox from indexes alone: their caseload's ids, its rows' ids and statuses, their digests.
    op.drop_index("ix_participants_advocate_id", table_name="participants")
    op.create_index("ix_participants_advocate_id_id", "participants", ["advocate_id", "id"])
    op.drop_index("ix_notifications_participant_id", table_name="notifications")
    op.drop_index("ix_notifications_advocate_id", table_name="notifications")
    op.create_index(
        "ix_notifications_participant_id_id_status", "notifications", ["participant_id", "id", "status"]
    )
    op.create_index("ix_notifications_advocate_id_id_status", "notifications", ["advocate_id", "id", "status"])
    op.create_index("ix_notifications_delivery_status", "notifications", ["delivery_status"])


def downgrade():
    op.drop_index("ix_notifications_delivery_status", table_name="notifications")
    op.drop_index("ix_notifications_advocate_id_id_status", table_name="notifications")
    op.drop_index("ix_notifications_participant_id_id_status", table_name="notifications")
    op.create_index("ix_notifications_advocate_id", "notifications", ["advocate_id"])
    op.create_index("ix_notifications_participant_id", "notifications", ["participant_id"])
    op.drop_index("ix_participants_advocate_id_id", table_name="participants")
    op.create_index("ix_participants_advocate_id", "participants", ["advocate_id"])
    op.drop_index("ix_assets_batch_type_make", table_name="assets")
    op.create_index("ix_assets_batch", "assets", ["batch"])
    op.drop_index("ix_assets_model_prefix", table_name="assets")
    op.drop_index("ix_assets_make_prefix", table_name="assets")
    for name, column in (("ix_assets_make_trgm", "make"), ("ix_assets_model_trgm", "model")):
        op.create_index(name, "assets", [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
    op.drop_table('outcome_month_counts')
