"""A day's reminder sweep over a million data plans, on SQLite or PostgreSQL; memory as plans grow.

    python bench/reminder_sweep.py [--database-url URL] [--plans 1000000] [--small 100000]

For each size, fills an empty database (SQLite in a temporary folder by default; a PostgreSQL one has its
public schema dropped first) with that many active data plans whose ends are spread over two years,
then times a cold catch-up (an empty outbox: every band at once, the day before), one day's sweep as the
scheduler runs it (the day before done), and that sweep again, noting the day's peak Python memory
(tracemalloc). Baseline in the same run: `SELECT count(*) FROM data_plans`.
Target: under 2 seconds at a million plans, with memory flat as plans grow.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAY = date(2026, 11, 22)


def build(url: str, plans: int) -> None:
    import sqlalchemy as sa

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.models import Asset, DataPlan, Loan, Participant, allocate_tags
    from inventory.services import reference, users

    rng = random.Random(3)
    with fresh_database(url) as dii:
        wh = reference.create_location(code="WH", name="W", kind="warehouse", area="Wirral")
        advocates = [
            users.create_user(f"a{i}@example.org", "advocate", password="benchmark-password")[0].id for i in range(30)
        ]
        people = plans // 10  # ten plans a participant keeps the fixture small; the sweep reads plans
        conn = db.session.connection()

        def insert(model, rows):
            for start in range(0, len(rows), 20_000):
                conn.execute(sa.insert(model), rows[start : start + 20_000])

        tags = allocate_tags(db.session, people)
        insert(
            Asset,
            [
                {
                    "id": i + 1,
                    "tag": t,
                    "type": "sim",
                    "make": "V",
                    "model": "S",
                    "serial": f"S{i:09d}",
                    "status": "on_loan",
                    "location_id": wh.id,
                }
                for i, t in enumerate(tags)
            ],
        )
        insert(
            Participant,
            [
                {
                    "id": i + 1,
                    "reference": f"R{i:08d}",
                    "name": "P",
                    "phone": "+447700900000",
                    "area": "Wirral",
                    "referral_source": "restart",
                    "programme_id": dii.id,
                    "contact_consent": True,
                    "advocate_id": advocates[i % 30],
                }
                for i in range(people)
            ],
        )
        insert(
            Loan,
            [
                {
                    "id": i + 1,
                    "participant_id": i + 1,
                    "programme_id": dii.id,
                    "issued_on": DAY,
                    "issued_by_id": advocates[0],
                    "agreement_accepted": True,
                }
                for i in range(people)
            ],
        )
        rows = []
        for n in range(plans):
            ends = DAY + timedelta(days=rng.randrange(-30, 700))
            owner = n % people + 1
            rows.append(
                {
                    "loan_id": owner,
                    "participant_id": owner,
                    "sim_id": owner,
                    "starts_on": ends - timedelta(days=182),
                    "months": 6,
                    "ends_on": ends,
                }
            )
            if len(rows) == 100_000:
                insert(DataPlan, rows)
                rows = []
        insert(DataPlan, rows)
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
        db.session.commit()


def measure(url: str) -> dict:
    """Times (seconds) of: a cold catch-up (empty outbox, the day before), then that day's sweep as the
    scheduler runs it (yesterday's done), then the same sweep again; and the day's peak Python memory."""
    import sqlalchemy as sa

    from inventory import create_app
    from inventory.extensions import db, unit_of_work
    from inventory.services import reminders

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    out = {}
    with app.app_context():
        t0 = time.perf_counter()
        db.session.execute(sa.text("SELECT count(*) FROM data_plans")).scalar()
        out["count_s"] = time.perf_counter() - t0
        db.session.rollback()

        def timed(day):
            t0 = time.perf_counter()
            with unit_of_work():
                counts = reminders.sweep(day)
            return time.perf_counter() - t0, counts

        out["catch_up_s"], out["catch_up"] = timed(DAY - timedelta(days=1))
        tracemalloc.start()
        out["day_s"], out["day"] = timed(DAY)
        out["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out["again_s"], again = timed(DAY)
        assert again == {"participants": 0, "advocates": 0}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--plans", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    args = parser.parse_args()
    for size in (args.small, args.plans):
        tmp = tempfile.mkdtemp(prefix="inventory-sweep-")
        url = args.database_url or f"sqlite:///{tmp}/sweep.sqlite3"
        t0 = time.perf_counter()
        build(url, size)
        built = time.perf_counter() - t0
        m = measure(url)
        print(
            f"{size:>9,} plans ({url.split(':')[0]}, built in {built:.0f} s): a day's sweep {m['day_s']:.3f} s "
            f"(queued {m['day']['participants']} reminders, {m['day']['advocates']} digests; "
            f"{m['day_s'] / m['count_s']:.1f}x a count(*) of the plans), again {m['again_s']:.3f} s, "
            f"peak Python memory {m['peak'] / 1024:.0f} KiB; cold catch-up into an empty outbox "
            f"{m['catch_up_s']:.3f} s ({m['catch_up']['participants']} reminders)",
            flush=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
