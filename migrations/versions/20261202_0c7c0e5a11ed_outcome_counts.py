"""outcome counts: the outcome report's figures by metric, programme, area and day, filled from the rows

Revision ID: 0c7c0e5a11ed
Revises: 5ca1e0c0a7e1
Create Date: 2026-12-02 02:40:00

"""
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op


revision = '0c7c0e5a11ed'
down_revision = '5ca1e0c0a7e1'
branch_labels = None
depends_on = None


def _day(value):
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value)[:10])


def _fill(conn):
    """Count what is there once, as inventory/models/counts.py does (its own copy: a migration must not
    change when the models do); from here on the app keeps them."""
    people = {i: (p, a) for i, p, a in conn.execute(sa.text("SELECT id, programme_id, area FROM participants"))}
    counts = Counter()

    def add(pid, metric, day, kind=""):
        if day is not None:
            programme_id, area = people[pid]
            counts[(metric, programme_id, area, _day(day), kind)] += 1

    for pid, enrolled_on in conn.execute(sa.text("SELECT id, enrolled_on FROM participants")):
        add(pid, "participants", enrolled_on)
    loans = {i: (p, d) for i, p, d in conn.execute(sa.text("SELECT id, participant_id, issued_on FROM loans"))}
    leaders = {
        (loan, kit): asset
        for loan, kit, asset in conn.execute(
            sa.text("SELECT loan_id, kit_id, min(asset_id) FROM loan_items WHERE kit_id IS NOT NULL GROUP BY loan_id, kit_id")
        )
    }
    for loan_id, asset_id, asset_type, kit_id in conn.execute(
        sa.text("SELECT loan_id, asset_id, asset_type, kit_id FROM loan_items")
    ):
        pid, issued_on = loans[loan_id]
        add(pid, "assets_issued", issued_on, asset_type)
        if kit_id is not None and leaders[(loan_id, kit_id)] == asset_id:
            add(pid, "kits_issued", issued_on)
    for pid, taken_on, passed in conn.execute(sa.text("SELECT participant_id, taken_on, passed FROM assessments")):
        add(pid, "assessments_taken", taken_on)
        if passed:
            add(pid, "assessments_passed", taken_on)
    transfers = {}
    for tid, pid, transferred_on in conn.execute(sa.text("SELECT id, participant_id, transferred_on FROM transfers")):
        transfers[tid] = (pid, transferred_on)
        add(pid, "ownership_transfers", transferred_on)
    for (tid,) in conn.execute(sa.text("SELECT transfer_id FROM transfer_items")):
        add(transfers[tid][0], "assets_transferred", transfers[tid][1])
    for pid, starts_on, ends_on, ended_on in conn.execute(
        sa.text("SELECT participant_id, starts_on, ends_on, ended_on FROM data_plans")
    ):
        starts_on, ends_on, ended_on = _day(starts_on), _day(ends_on), _day(ended_on)
        stop = ends_on + timedelta(days=1)
        if ended_on is not None and ended_on < stop:
            stop = ended_on
        add(pid, "plan_starts", starts_on)
        add(pid, "plan_stops", max(stop, starts_on))
        if ended_on is not None:
            add(pid, "plans_ended_early", ended_on)
        else:
            add(pid, "plans_ended_naturally", ends_on)
    table = sa.table(
        "outcome_counts",
        sa.column("metric"), sa.column("programme_id"), sa.column("area"), sa.column("day", sa.Date), sa.column("kind"),
        sa.column("count"),
    )
    rows = [
        {"metric": m, "programme_id": p, "area": a, "day": d, "kind": k, "count": n}
        for (m, p, a, d, k), n in counts.items()
    ]
    for start in range(0, len(rows), 1000):
        conn.execute(table.insert(), rows[start : start + 1000])


def upgrade():
    op.create_table(
        'outcome_counts',
        sa.Column('metric', sa.String(length=30), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=20), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['programme_id'], ['programmes.id'], name=op.f('fk_outcome_counts_programme_id_programmes')
        ),
        sa.PrimaryKeyConstraint('metric', 'programme_id', 'area', 'day', 'kind', name=op.f('pk_outcome_counts')),
    )
    _fill(op.get_bind())


def downgrade():
    op.drop_table('outcome_counts')
