"""Scan look-ups through the API against a bare Flask + SQLAlchemy primary-key look-up, same run.

    python bench/scan_lookup.py [--assets 100000] [--seconds 10] [--clients 8] [--database-url URL]

Builds a database with N assets (SQLite in a temporary folder unless --database-url is given; the
PostgreSQL database is emptied first), then serves each app with gunicorn (2 sync workers) in turn and
drives it from separate client processes for a fixed time, twice each, alternating. Prints requests
per second and the ratio of the scan to the bare look-up. Ratios, not absolute figures, are the result:
the machine is shared.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_database(url: str, count: int) -> tuple[list[str], str]:
    """Migrate, add reference data and `count` assets in bulk; return the tags and a warehouse token."""
    import sqlalchemy as sa

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.models import Asset, allocate_tags
    from inventory.services import reference, users

    with fresh_database(url):
        wh = reference.create_location(code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley")
        user, _ = users.create_user("bench@example.org", "warehouse", password="benchmark-password")
        token = users.create_token(user)
        tags = allocate_tags(db.session, count)
        rows = [
            {
                "tag": t,
                "type": "tablet",
                "make": "Samsung",
                "model": "Galaxy Tab A9",
                "serial": f"SN{i:09d}",
                "status": "in_stock",
                "location_id": wh.id,
                "condition": "A",
                "wipe_certificate": f"W{i}",
            }
            for i, t in enumerate(tags)
        ]
        for start in range(0, count, 5000):
            db.session.execute(sa.insert(Asset), rows[start : start + 5000])
        db.session.commit()
        ids = db.session.scalars(sa.select(Asset.id)).all()
    return tags, token, ids


def serve(app_spec: str, env: dict, port: int, workers: int = 2) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    # The server's log goes to a file: a pipe nobody reads fills up (the app logs a line a request)
    # and then blocks every worker that writes to it.
    log = tempfile.NamedTemporaryFile(prefix="inventory-bench-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{app_spec} did not start: {Path(log.name).read_text()[-2000:]}")


def _client(port, paths, headers, seconds, results):
    rng = random.Random(os.getpid())
    done = errors = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", rng.choice(paths), headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status == 200:
            done += 1
        else:
            errors += 1
    results.put((done, errors))


def load(port, paths, headers, seconds, clients) -> float:
    results = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, paths, headers, seconds, results)) for _ in range(clients)]
    for p in procs:
        p.start()
    totals = [results.get() for _ in procs]
    for p in procs:
        p.join()
    done = sum(d for d, _ in totals)
    errors = sum(e for _, e in totals)
    if errors:
        raise RuntimeError(f"{errors} requests failed")
    return done / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="inventory-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    print(f"building {args.assets:,} assets in {url.split('@')[-1]} ...", flush=True)
    tags, token, ids = build_database(url, args.assets)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(8), "PYTHONPATH": str(ROOT)}

    scan_paths = [f"/api/v1/scan?code={quote(t)}" for t in random.sample(tags, min(5000, len(tags)))]
    bare_paths = [f"/assets/{i}" for i in random.sample(ids, min(5000, len(ids)))]
    runs = {"bare": [], "scan": []}
    for _ in range(args.rounds):
        for name, spec, paths, headers, port in (
            ("bare", "bench.bare_app:create_app()", bare_paths, {}, 5901),
            ("scan", "inventory:create_app()", scan_paths, {"Authorization": f"Bearer {token}"}, 5902),
        ):
            server = serve(spec, env, port)
            try:
                load(port, paths[:50], headers, 1, args.clients)  # warm up
                rate = load(port, paths, headers, args.seconds, args.clients)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(10)
            runs[name].append(rate)
            print(f"  {name:<5} {rate:8.0f} requests/s", flush=True)
    bare, scan = max(runs["bare"]), max(runs["scan"])
    paired = [s / b for s, b in zip(runs["scan"], runs["bare"])]
    print(
        f"\nbest of {args.rounds}: bare look-up {bare:.0f}/s, scan {scan:.0f}/s; "
        f"scan = {scan / bare:.0%} of the bare look-up (target: at least 70%); "
        f"round by round: {', '.join(f'{r:.0%}' for r in paired)}"
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
