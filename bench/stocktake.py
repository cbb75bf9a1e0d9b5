"""What a stocktake of a 2,000-item location costs per scan, against a bare primary-key look-up, same run.

    python bench/stocktake.py [--items 2000] [--batch 50] [--clients 4] [--rounds 2] [--database-url URL]

Builds a database (SQLite in a temporary folder unless --database-url is given; a PostgreSQL database is
emptied first) with one hub holding N items (plus as many elsewhere, so the look-ups have company), then
serves the app and bench/bare_app.py with gunicorn (2 sync workers) and times, from one client over
keep-alive-free HTTP as the other benchmarks do:

- bare: GET /assets/ID, one primary-key look-up, per request (and, for scale, bare_app's POST /writes:
  one row inserted and committed, the least a write costs; and GET /api/v1/scan, the app's look-up);
- single: a fresh stocktake opened (its 2,000 lines frozen), then POST /api/v1/stocktakes/ID/scans with
  one code per request, every item once;
- repeat: the same 2,000 codes again (each already counted);
- batch: a fresh stocktake, the codes in requests of --batch codes;
- parallel: a fresh stocktake, --clients processes scanning their share one code at a time at once
  (several people counting one place): wall time over items.

Prints milliseconds per scan and each as a multiple of the bare look-up. Ratios, not absolute figures,
are the result: the machine is shared.
"""

from __future__ import annotations

import argparse
import http.client
import json
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scan_lookup import serve  # noqa: E402

HUB = "HUB-BENCH"


def build(url: str, items: int) -> tuple[list[str], list[int], str]:
    """Migrate, add a warehouse and a hub, `items` tablets at the hub and as many at the warehouse, and
    a warehouse user; return the hub's tags, every asset id, and a token."""
    import sqlalchemy as sa

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.models import Asset, allocate_tags
    from inventory.services import reference, users

    with fresh_database(url):
        reference.create_organisation(code="PARTNER", name="Bench hub")
        wh = reference.create_location(code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley")
        hub = reference.create_location(code=HUB, name="Bench", kind="hub", area="Halton", organisation="PARTNER")
        user, _ = users.create_user("bench@example.org", "warehouse", password="benchmark-password")
        token = users.create_token(user)
        tags = allocate_tags(db.session, 2 * items)
        rows = [
            {
                "tag": t,
                "type": "tablet",
                "make": "Samsung",
                "model": "Galaxy Tab A9",
                "serial": f"SN{i:09d}",
                "status": "in_stock",
                "location_id": hub.id if i < items else wh.id,
                "condition": "A",
                "wipe_certificate": f"W{i}",
            }
            for i, t in enumerate(tags)
        ]
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(Asset), rows[start : start + 5000])
        # The bare write's table (bench/bare_app.py's POST /writes), in each database's words.
        serial = "SERIAL" if db.engine.dialect.name == "postgresql" else "INTEGER"
        db.session.execute(sa.text(f"CREATE TABLE bench_writes (id {serial} PRIMARY KEY, note TEXT)"))
        db.session.commit()
        ids = list(db.session.scalars(sa.select(Asset.id)))
    return tags[:items], ids, token


def _request(port: int, method: str, path: str, headers: dict, body: dict | None = None) -> dict | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={**headers, **({"Content-Type": "application/json"} if data else {})})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path} answered {response.status}: {payload[:300]!r}")
    return (
        json.loads(payload)
        if payload and response.getheader("Content-Type", "").startswith("application/json")
        else None
    )


def _open(port: int, headers: dict) -> int:
    answer = _request(port, "POST", "/api/v1/stocktakes", headers, {"location": HUB})
    assert answer is not None
    return answer["id"]


def _close(port: int, headers: dict, stocktake: int) -> dict:
    answer = _request(
        port, "POST", f"/api/v1/stocktakes/{stocktake}/close", headers, {"missing": "leave", "unexpected": "leave"}
    )
    assert answer is not None
    return answer


def _scan_all(port: int, headers: dict, stocktake: int, codes: list[str], batch: int) -> float:
    """Seconds to scan every code, `batch` codes a request."""
    started = time.perf_counter()
    for start in range(0, len(codes), batch):
        _request(
            port, "POST", f"/api/v1/stocktakes/{stocktake}/scans", headers, {"codes": codes[start : start + batch]}
        )
    return time.perf_counter() - started


def _scanner(port, headers, stocktake, codes, barrier):
    barrier.wait()
    _scan_all(port, headers, stocktake, codes, 1)


def _bare(port: int, ids: list[int]) -> float:
    started = time.perf_counter()
    for asset_id in ids:
        _request(port, "GET", f"/assets/{asset_id}", {})
    return time.perf_counter() - started


def _bare_writes(port: int, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        _request(port, "POST", "/writes", {})
    return time.perf_counter() - started


def _lookups(port: int, headers: dict, codes: list[str]) -> float:
    started = time.perf_counter()
    for code in codes:
        _request(port, "GET", f"/api/v1/scan?code={code}", headers)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="inventory-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    print(f"building a hub of {args.items:,} items in {url.split('@')[-1]} ...", flush=True)
    tags, ids, token = build(url, args.items)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(8), "PYTHONPATH": str(ROOT)}
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(7)
    ms: dict[str, list[float]] = {
        "bare": [],
        "bare_write": [],
        "lookup": [],
        "open": [],
        "single": [],
        "repeat": [],
        "batch": [],
        "parallel": [],
    }

    bare = serve("bench.bare_app:create_app()", env, 5911)
    app = serve("inventory:create_app()", env, 5912)
    try:
        for _ in range(args.rounds):
            ms["bare"].append(_bare(5911, rng.sample(ids, args.items)) * 1000 / args.items)
            ms["bare_write"].append(_bare_writes(5911, 500) * 1000 / 500)
            ms["lookup"].append(_lookups(5912, headers, rng.sample(tags, 500)) * 1000 / 500)

            codes = rng.sample(tags, len(tags))
            started = time.perf_counter()
            stocktake = _open(5912, headers)
            ms["open"].append((time.perf_counter() - started) * 1000)
            ms["single"].append(_scan_all(5912, headers, stocktake, codes, 1) * 1000 / len(codes))
            ms["repeat"].append(_scan_all(5912, headers, stocktake, codes, 1) * 1000 / len(codes))
            assert _close(5912, headers, stocktake)["counts"]["found"] == len(codes)

            stocktake = _open(5912, headers)
            ms["batch"].append(_scan_all(5912, headers, stocktake, codes, args.batch) * 1000 / len(codes))
            assert _close(5912, headers, stocktake)["counts"]["found"] == len(codes)

            stocktake = _open(5912, headers)
            barrier = mp.Barrier(args.clients + 1)
            shares = [codes[i :: args.clients] for i in range(args.clients)]
            procs = [mp.Process(target=_scanner, args=(5912, headers, stocktake, share, barrier)) for share in shares]
            for p in procs:
                p.start()
            barrier.wait()
            started = time.perf_counter()
            for p in procs:
                p.join()
            ms["parallel"].append((time.perf_counter() - started) * 1000 / len(codes))
            found = _close(5912, headers, stocktake)["counts"]["found"]
            if found != len(codes) or any(p.exitcode for p in procs):
                raise RuntimeError(f"parallel scanners counted {found} of {len(codes)}")
            print(
                "  round: "
                + ", ".join(f"{name} {values[-1]:.2f}" for name, values in ms.items())
                + " (ms; open is for the whole count)",
                flush=True,
            )
    finally:
        for server in (bare, app):
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:  # a busy machine: do not leave it serving
                server.kill()
                server.wait()

    best = {name: min(values) for name, values in ms.items()}
    base = best["bare"]
    print(f"\nbest of {args.rounds}, {args.items:,} items, ms per scan (and as a multiple of the bare look-up):")
    print(f"  bare primary-key look-up  {base:6.2f} ms")
    for name, label in (
        ("bare_write", "bare one-row insert and commit"),
        ("lookup", "GET /api/v1/scan (a look-up, no count)"),
        ("single", "one code per request"),
        ("repeat", "again, already counted"),
        ("batch", f"{args.batch} codes per request"),
        ("parallel", f"{args.clients} people at once (wall time / items)"),
    ):
        print(f"  {label:<38} {best[name]:6.2f} ms  ({best[name] / base:.1f}x)")
    print(f"  opening the count (freezing {args.items:,} lines): {best['open']:.0f} ms")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
