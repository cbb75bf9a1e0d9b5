"""The outcome report over a national-scale database, against a full count of the loan items.

    python bench/outcome_report.py --database-url postgresql+psycopg://USER:PASS@HOST/DB [--participants 100000]
        [--assets 1000000] [--repeat 5]

Fills an empty PostgreSQL database (its public schema is dropped first) through the migrations and
bulk inserts: N participants across six areas and two programmes, each with a loan of two to four
items and a data plan; M assets in all; an assessment for most, a pass and an ownership transfer for
about half. Then times the whole report (every count, every area) and, as the baseline in the same
run, `SELECT count(*) FROM loan_items` — one full pass over the biggest table the report reads.
Target: the report in under 1 second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AREAS = ["Halton", "Knowsley", "Liverpool", "Sefton", "St Helens", "Wirral"]


def build(url: str, participants: int, assets: int, seed: int = 7) -> None:
    import sqlalchemy as sa

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.models import (
        Assessment,
        Asset,
        DataPlan,
        Loan,
        LoanItem,
        Participant,
        Transfer,
        TransferItem,
        allocate_tags,
    )
    from inventory.services import reference, users

    rng = random.Random(seed)
    with fresh_database(url) as dii:
        hiw = reference.create_programme(
            code="HIW",
            name="H",
            connectivity_months=2,
            ownership_rule="on_assessment_pass",
            assessment_name="L1",
            pass_mark=70,
        )
        wh = reference.create_location(code="WH-MAIN", name="W", kind="warehouse", area="Knowsley")
        advocate, _ = users.create_user("adv@example.org", "advocate", password="benchmark-password")
        conn = db.session.connection()

        def insert(model, rows):
            for start in range(0, len(rows), 20_000):
                conn.execute(sa.insert(model), rows[start : start + 20_000])

        print(f"  {assets:,} assets ...", flush=True)
        tags = allocate_tags(db.session, assets)
        kinds = ["tablet", "sim", "laptop", "desk", "chair"]
        insert(
            Asset,
            [
                {
                    "id": i + 1,
                    "tag": t,
                    "type": kinds[i % 5],
                    "make": "M",
                    "model": "X",
                    "serial": f"S{i:09d}",
                    "status": "in_stock",
                    "location_id": wh.id,
                    "programme_id": dii.id if i % 2 else hiw.id,
                }
                for i, t in enumerate(tags)
            ],
        )
        print(f"  {participants:,} participants with loans, plans, assessments, transfers ...", flush=True)
        start_day = date(2024, 1, 1)
        people, loans, items, plans, tests, transfers, transferred = [], [], [], [], [], [], []
        next_asset = 1
        for p in range(1, participants + 1):
            programme = dii.id if p % 3 else hiw.id
            issued = start_day + timedelta(days=rng.randrange(1000))
            people.append(
                {
                    "id": p,
                    "reference": f"R{p:07d}",
                    "name": None,
                    "area": AREAS[p % 6],
                    "referral_source": "restart",
                    "programme_id": programme,
                    "contact_consent": False,
                    "advocate_id": advocate.id,
                }
            )
            loans.append(
                {
                    "id": p,
                    "participant_id": p,
                    "programme_id": programme,
                    "issued_on": issued,
                    "issued_by_id": advocate.id,
                    "agreement_accepted": True,
                }
            )
            lent = list(range(next_asset, next_asset + rng.choice((2, 3, 4))))
            next_asset += len(lent)
            items += [{"loan_id": p, "asset_id": a, "asset_type": kinds[(a - 1) % 5]} for a in lent]
            plans.append(
                {
                    "id": p,
                    "loan_id": p,
                    "participant_id": p,
                    "sim_id": lent[0],
                    "starts_on": issued,
                    "months": 6,
                    "ends_on": issued + timedelta(days=182),
                    "ended_on": issued + timedelta(days=90) if p % 10 == 0 else None,
                }
            )
            if p % 5:
                passed = p % 2 == 0
                tests.append(
                    {
                        "participant_id": p,
                        "score": 18 if passed else 9,
                        "max_score": 20,
                        "taken_on": issued + timedelta(days=30),
                        "venue": "classroom",
                        "passed": passed,
                        "recorded_by_id": advocate.id,
                    }
                )
                if passed:
                    transfers.append(
                        {
                            "id": len(transfers) + 1,
                            "participant_id": p,
                            "programme_id": programme,
                            "transferred_on": issued + timedelta(days=30),
                        }
                    )
                    transferred += [{"transfer_id": len(transfers), "asset_id": a} for a in lent]
        for model, rows in (
            (Participant, people),
            (Loan, loans),
            (LoanItem, items),
            (DataPlan, plans),
            (Assessment, tests),
            (Transfer, transfers),
            (TransferItem, transferred),
        ):
            insert(model, rows)
        conn.execute(sa.text("ANALYZE"))  # fresh statistics, as autovacuum would soon give a real database
        db.session.commit()


def measure(url: str, repeat: int) -> None:
    import sqlalchemy as sa

    from inventory import create_app
    from inventory.extensions import db
    from inventory.services import reports

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():

        def timed(fn):
            runs = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                fn()
                runs.append(time.perf_counter() - t0)
                db.session.rollback()
            return statistics.median(runs)

        baseline = timed(lambda: db.session.execute(sa.text("SELECT count(*) FROM loan_items")).scalar())
        report = timed(lambda: reports.outcomes(today=date(2026, 11, 22)))
        one = timed(
            lambda: reports.outcomes(
                today=date(2026, 11, 22),
                programme="DII",
                area="Wirral",
                date_from=date(2025, 1, 1),
                date_to=date(2025, 12, 31),
            )
        )
        print(f"\ncount(*) of loan_items (baseline): {baseline * 1000:.0f} ms")
        print(f"outcome report, everything:        {report * 1000:.0f} ms = {report / baseline:.1f}x the baseline")
        print(f"outcome report, one programme, area and year: {one * 1000:.0f} ms = {one / baseline:.1f}x")
        print(f"target: the report in under 1 second (median of {repeat} runs): {'met' if report < 1 else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true", help="measure an already filled database")
    args = parser.parse_args()
    if not args.skip_build:
        t0 = time.perf_counter()
        build(args.database_url, args.participants, args.assets)
        print(f"  built in {time.perf_counter() - t0:.0f} s")
    measure(args.database_url, args.repeat)


if __name__ == "__main__":
    main()
