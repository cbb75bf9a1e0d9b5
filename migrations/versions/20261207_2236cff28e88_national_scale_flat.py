"""national scale, flat: outcome counts by day; plans not ended early kept by their last day; delivery contents; participants' last days of involvement

Revision ID: 2236cff28e88
Revises: f4a7c2e9b1d3
Create Date: 2026-12-07 21:10:00

"""

from collections import Counter
from datetime import date

import sqlalchemy as sa
from alembic import op


revision = "2236cff28e88"
down_revision = "f4a7c2e9b1d3"
branch_labels = None
depends_on = None

METRIC = "plans_open_by_end"  # models.counts.PLANS_OPEN_BY_END, as it was when this was written


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _fill_open_plans(conn):
    """Every plan not ended early, counted by its participant's programme and area and its last day, by
    day and by month (months in Python: SQLite and PostgreSQL name a date's month differently)."""
    rows = conn.execute(
        sa.text(
            "SELECT p.programme_id, p.area, d.ends_on, count(*) FROM data_plans d"
            " JOIN participants p ON p.id = d.participant_id WHERE d.ended_on IS NULL"
            " GROUP BY p.programme_id, p.area, d.ends_on"
        )
    )
    days, months = Counter(), Counter()
    for programme_id, area, ends_on, count in rows:
        days[(programme_id, area, _day(ends_on))] += count
        months[(programme_id, area, _day(ends_on).replace(day=1))] += count
    for name, column, counted in (("outcome_counts", "day", days), ("outcome_month_counts", "month", months)):
        table = sa.table(
            name,
            sa.column("metric"),
            sa.column("programme_id"),
            sa.column("area"),
            sa.column(column, sa.Date),
            sa.column("kind"),
            sa.column("count"),
        )
        values = [
            {"metric": METRIC, "programme_id": p, "area": a, column: d, "kind": "", "count": n}
            for (p, a, d), n in counted.items()
        ]
        for start in range(0, len(values), 1000):
            conn.execute(table.insert(), values[start : start + 1000])


def _fill_last_days(conn):
    """Each participant's last dated day, from their rows (models.involvement keeps it from here on)."""
    last = {}
    for sql in (
        "SELECT participant_id, max(issued_on) FROM loans GROUP BY participant_id",
        "SELECT l.participant_id, max(i.returned_on) FROM loan_items i JOIN loans l ON l.id = i.loan_id"
        " WHERE i.returned_on IS NOT NULL GROUP BY l.participant_id",
        "SELECT participant_id, max(taken_on) FROM assessments GROUP BY participant_id",
        "SELECT participant_id, max(transferred_on) FROM transfers GROUP BY participant_id",
        "SELECT participant_id, max(coalesce(ended_on, ends_on)) FROM data_plans GROUP BY participant_id",
    ):
        for pid, day in conn.execute(sa.text(sql)):
            if day is not None:
                day = _day(day)
                if pid not in last or last[pid] < day:
                    last[pid] = day
    # Someone with an item still on loan has no last day yet (their involvement has not ended).
    holding = {
        pid
        for (pid,) in conn.execute(
            sa.text(
                "SELECT DISTINCT l.participant_id FROM loan_items i JOIN loans l ON l.id = i.loan_id"
                " JOIN assets a ON a.id = i.asset_id WHERE i.returned_on IS NULL AND a.status = 'on_loan'"
            )
        )
    }
    table = sa.table("participant_last_days", sa.column("participant_id"), sa.column("day", sa.Date))
    values = [{"participant_id": pid, "day": day} for pid, day in sorted(last.items()) if pid not in holding]
    for start in range(0, len(values), 5000):
        conn.execute(table.insert(), values[start : start + 5000])


def upgrade():
    # The days at a report's ends, read as one range of a month's rows, not by scanning every day's.
    op.create_index("ix_outcome_counts_day", "outcome_counts", ["day"])
    # Plans ending soon that had not started by the report's last day: an empty range for today's.
    op.create_index("ix_data_plans_starts_on", "data_plans", ["starts_on"])
    _fill_open_plans(op.get_bind())

    # What each delivery batch brought, by type and make, kept (models.counts.DeliveryContent).
    op.create_table(
        "delivery_contents",
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("make", sa.String(length=80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch", "type", "make", name=op.f("pk_delivery_contents")),
    )
    # The nightly retention job finds those whose last day just passed its cut-off by this index.
    # No foreign key to participants: models.involvement.LastInvolved says why.
    op.create_table(
        "participant_last_days",
        sa.Column("participant_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_participant_last_days")),
    )
    op.create_index("ix_participant_last_days_day", "participant_last_days", ["day"])
    _fill_last_days(op.get_bind())
    op.execute(
        sa.text(
            "INSERT INTO delivery_contents (batch, type, make, count)"
            " SELECT batch, type, make, count(*) FROM assets WHERE batch IS NOT NULL GROUP BY batch, type, make"
        )
    )


def downgrade():
    op.drop_index("ix_participant_last_days_day", table_name="participant_last_days")
    op.drop_table("participant_last_days")
    op.drop_table("delivery_contents")
    op.execute(sa.text(f"DELETE FROM outcome_month_counts WHERE metric = '{METRIC}'"))
    op.execute(sa.text(f"DELETE FROM outcome_counts WHERE metric = '{METRIC}'"))
    op.drop_index("ix_data_plans_starts_on", table_name="data_plans")
    op.drop_index("ix_outcome_counts_day", table_name="outcome_counts")
