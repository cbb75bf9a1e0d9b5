"""The asset list and its search at two sizes, against a primary-key look-up timed in the same run (issue 18).

    python bench/asset_search.py --database-url postgresql+psycopg://USER:PASS@HOST/DB [--assets 200000]
        [--small 10000] [--repeat 15]

For each size in turn the database is emptied (a PostgreSQL database loses its public schema), migrated and
filled in bulk with the same seeded data: assets of five types from 24 makers over a warehouse and 20 hubs,
tablets with an IMEI, SIMs with an ICCID, one maker in a hundred a rare one ("Fairphone"). Then, in-process
through the Flask test client with a warehouse token (so the times are the server's own: routing, token,
arguments, queries, schema), it times each path `--repeat` times and keeps the median:

- `GET /api/v1/assets?q=TAG`, `?q=SERIAL`, `?q=fairph` (a make prefix), `?q=zzqx` (no match);
- `GET /api/v1/assets` (page 1) and a deep page: by cursor at 95% of the rows when the app answers
  `X-Next-Cursor`, else by `page=` at the same depth;
- the baseline: `SELECT … FROM assets WHERE id = …` through the same session.

Prints a table: small and large medians, their ratio, and each path in multiples of the baseline.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAKES = [
    ("Samsung", ["Galaxy Tab A9", "Galaxy Tab S6 Lite", "Galaxy A14"]),
    ("Lenovo", ["Tab M10", "IdeaPad 3", "ThinkPad E14"]),
    ("Apple", ["iPad 9th gen", "MacBook Air"]),
    ("Dell", ["Latitude 3420", "Latitude 5400"]),
    ("HP", ["ProBook 450", "Chromebook 14"]),
    ("Acer", ["Chromebook 314", "Aspire 5"]),
    ("Vodafone", ["Data SIM", "Voice SIM"]),
    ("EE", ["Data SIM"]),
    ("Three", ["Data SIM"]),
    ("O2", ["Data SIM"]),
    ("IKEA", ["Markus", "Micke", "Linnmon"]),
    ("Argos", ["Home desk", "Office chair"]),
] + [(f"Maker{n:02d}", [f"Model {n}A", f"Model {n}B"]) for n in range(12)]
TYPES = ["tablet", "sim", "laptop", "tablet", "chair", "desk"]
PATHS = ["tag", "serial", "make prefix", "no match", "page 1", "deep page"]


def build(url: str, count: int, seed: int = 18) -> dict:
    """Migrate and fill; answer what the timings need (a token, sample tags and serials, ids)."""
    import sqlalchemy as sa

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.models import Asset, allocate_tags
    from inventory.services import reference, users

    rng = random.Random(seed)
    with fresh_database(url) as dii:
        wh = reference.create_location(code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley")
        reference.create_organisation(code="PARTNER", name="Partner")
        hubs = [
            reference.create_location(
                code=f"HUB-{n:02d}", name=f"Hub {n}", kind="hub", area="Halton", organisation="PARTNER"
            )
            for n in range(20)
        ]
        user, _ = users.create_user("bench@example.org", "warehouse", password="benchmark-password")
        token = users.create_token(user)
        tags = allocate_tags(db.session, count)
        places = [wh.id] + [h.id for h in hubs]
        rows = []
        for i, tag in enumerate(tags):
            kind = TYPES[i % len(TYPES)]
            make, models = ("Fairphone", ["Fairphone 4"]) if rng.random() < 0.01 else rng.choice(MAKES)
            rows.append(
                {
                    "id": i + 1,
                    "tag": tag,
                    "type": kind,
                    "make": make,
                    "model": rng.choice(models),
                    "serial": f"SN{i:09d}",
                    "imei": f"35{i:013d}" if kind == "tablet" else None,
                    "iccid": f"8944{i:015d}" if kind == "sim" else None,
                    "status": "in_stock" if rng.random() < 0.7 else "on_loan",
                    "location_id": rng.choice(places),
                    "programme_id": dii.id,
                    "condition": "A",
                }
            )
        conn = db.session.connection()
        for start in range(0, count, 10_000):
            conn.execute(sa.insert(Asset), rows[start : start + 10_000])
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('assets', 'id'), :n)"), {"n": count})
        db.session.commit()
        if conn.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("VACUUM ANALYZE assets"))
        sample = rng.sample(range(count), 15)
        return {
            "token": token,
            "tags": [tags[i] for i in sample],
            "serials": [f"SN{i:09d}" for i in sample],
            "ids": [i + 1 for i in sample],
        }


def measure(url: str, count: int, repeat: int) -> dict[str, float]:
    """Median milliseconds per path for a database of `count` assets."""
    import sqlalchemy as sa

    from inventory import create_app
    from inventory.extensions import db
    from inventory.models import Asset

    print(f"building {count:,} assets ...", flush=True)
    data = build(url, count)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {data['token']}"}
    times: dict[str, float] = {}

    def timed(name, paths):
        for path in paths[:3]:  # warm up
            assert client.get(path, headers=headers).status_code == 200, path
        samples = []
        for n in range(repeat):
            path = paths[n % len(paths)]
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        times[name] = statistics.median(samples) * 1000

    with app.app_context():
        timed("tag", [f"/api/v1/assets?q={quote(t)}" for t in data["tags"]])
        timed("serial", [f"/api/v1/assets?q={s}" for s in data["serials"]])
        timed("make prefix", ["/api/v1/assets?q=fairph"])
        timed("no match", ["/api/v1/assets?q=zzqx"])
        first = client.get("/api/v1/assets", headers=headers)
        timed("page 1", ["/api/v1/assets"])
        depth = int(count * 0.95)
        if "X-Next-Cursor" in first.headers:
            from inventory.api.common import cursor_after

            with app.test_request_context("/api/v1/assets"):
                deep = [f"/api/v1/assets?cursor={cursor_after(depth + n, {})}" for n in range(5)]
        else:
            deep = [f"/api/v1/assets?page={depth // 50 + n}" for n in range(5)]
        timed("deep page", deep)

        samples = []
        select = sa.select(Asset.id, Asset.tag, Asset.status).where(Asset.id == sa.bindparam("id"))
        for n in range(repeat * 5):
            db.session.execute(select, {"id": data["ids"][n % len(data["ids"])]}).one()  # warm up
        for n in range(repeat * 5):
            start = time.perf_counter()
            db.session.execute(select, {"id": data["ids"][n % len(data["ids"])]}).one()
            samples.append(time.perf_counter() - start)
        times["baseline"] = statistics.median(samples) * 1000
        db.session.remove()
        db.engine.dispose()
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--assets", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    small = measure(args.database_url, args.small, args.repeat)
    large = measure(args.database_url, args.assets, args.repeat)
    print(f"\n| path | {args.small:,} assets | {args.assets:,} assets | ratio | large / PK look-up |")
    print("|---|---|---|---|---|")
    for name in PATHS:
        print(
            f"| {name} | {small[name]:.1f} ms | {large[name]:.1f} ms | {large[name] / small[name]:.1f}x "
            f"| {large[name] / large['baseline']:.0f}x |"
        )
    print(
        f"| primary-key look-up (baseline) | {small['baseline']:.2f} ms | {large['baseline']:.2f} ms "
        f"| {large['baseline'] / small['baseline']:.1f}x | 1x |"
    )


if __name__ == "__main__":
    main()
