"""Issuing throughput: loans per second from concurrent clients, against a bare one-row write.

    python bench/issue_throughput.py --database-url postgresql+psycopg://USER:PASS@HOST/DB
        [--clients 16] [--seconds 15] [--workers 4]

Fills the database (its public schema is dropped first) with participants and SIMs, serves the app
with gunicorn, and has each client issue one SIM at a time to its own participants through
POST /api/v1/loans (with an Idempotency-Key, as the phones do): every loan locks its participant and
item, writes the loan, its item, an event and a data plan, in one transaction. The baseline, in the
same run, is bench/bare_app.py's POST /writes: one row inserted and committed per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import secrets
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scan_lookup import serve  # noqa: E402


def build(url: str, people: int, sims: int):
    import sqlalchemy as sa

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.models import Asset, Participant, allocate_tags
    from inventory.services import reference, users

    with fresh_database(url) as dii:
        db.session.execute(sa.text("CREATE TABLE bench_writes (id SERIAL PRIMARY KEY, note TEXT)"))
        wh = reference.create_location(code="WH-MAIN", name="W", kind="warehouse", area="Knowsley")
        advocate, _ = users.create_user("adv@example.org", "advocate", password="benchmark-password")
        token = users.create_token(advocate)
        tags = allocate_tags(db.session, sims)
        db.session.execute(
            sa.insert(Asset),
            [
                {
                    "tag": t,
                    "type": "sim",
                    "make": "V",
                    "model": "SIM",
                    "serial": f"S{i:09d}",
                    "status": "in_stock",
                    "location_id": wh.id,
                    "programme_id": dii.id,
                }
                for i, t in enumerate(tags)
            ],
        )
        db.session.execute(
            sa.insert(Participant),
            [
                {
                    "reference": f"R{i:07d}",
                    "name": "P",
                    "area": "Wirral",
                    "referral_source": "restart",
                    "programme_id": dii.id,
                    "contact_consent": False,
                    "advocate_id": advocate.id,
                }
                for i in range(people)
            ],
        )
        db.session.commit()
        ids = db.session.scalars(sa.select(Participant.id).order_by(Participant.id)).all()
    return token, tags, ids


def _client(port, jobs, headers, seconds, results):
    done = errors = 0
    end = time.perf_counter() + seconds
    conn = None
    for path, body in jobs:
        if time.perf_counter() >= end:
            break
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={**headers, "Content-Type": "application/json", "Idempotency-Key": secrets.token_hex(8)},
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status == 201:
            done += 1
        else:
            errors += 1
    results.put((done, errors))


def run(port, job_lists, headers, seconds) -> float:
    results = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, jobs, headers, seconds, results)) for jobs in job_lists]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    totals = [results.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = min(time.perf_counter() - t0, seconds)
    done, errors = sum(d for d, _ in totals), sum(e for _, e in totals)
    if errors:
        raise RuntimeError(f"{errors} requests failed")
    return done / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    capacity = 600 * args.clients  # more than any client can issue in the time
    print(f"building {capacity:,} SIMs and participants ...", flush=True)
    token, tags, people = build(args.database_url, capacity, capacity)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": secrets.token_hex(8),
        "PYTHONPATH": str(ROOT),
        "WEB_CONCURRENCY": str(args.workers),
    }

    def gunicorn(spec, port):
        return serve(spec, {**env}, port, workers=args.workers)

    bare = gunicorn("bench.bare_app:create_app()", 5911)
    try:
        jobs = [[("/writes", {})] * capacity for _ in range(args.clients)]
        bare_rate = run(5911, jobs, {}, args.seconds)
    finally:
        bare.send_signal(signal.SIGTERM)
        bare.wait(10)
    app = gunicorn("inventory:create_app()", 5912)
    try:
        per = capacity // args.clients
        jobs = [
            [
                (
                    "/api/v1/loans",
                    {"participant": people[c * per + i], "items": [tags[c * per + i]], "agreement_accepted": True},
                )
                for i in range(per)
            ]
            for c in range(args.clients)
        ]
        issue_rate = run(5912, jobs, {"Authorization": f"Bearer {token}"}, args.seconds)
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(10)
    print(
        f"\n{args.clients} clients, gunicorn {args.workers} workers: bare write {bare_rate:.0f}/s, "
        f"issue {issue_rate:.0f} loans/s = {issue_rate / bare_rate:.0%} of the bare write"
    )


if __name__ == "__main__":
    main()
