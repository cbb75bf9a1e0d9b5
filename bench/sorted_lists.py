"""The asset list's sorts paged by key at two sizes, against a primary-key look-up timed in the same run.

    python bench/sorted_lists.py --database-url postgresql+psycopg://USER:PASS@HOST/DB [--assets 200000]
        [--small 10000] [--repeat 15]

Fills the database as bench/asset_search.py does (the same seeded assets), then for each sort the list offers
(tag, type, status, make and model, and newest first) times the page's query, a page of 51 rows, with the
service's own select (services.assets.asset_query, as /assets and /assets.csv run it): the first page, and a
page that starts after the row at 95% of the list, as its cursor would say. Prints each in milliseconds
(median of --repeat), small and large, their ratio, and the large in multiples of the primary-key look-up.
A deep page that costs what the first costs is what the (sort key, id) indexes are for.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SORTS = ["tag", "type", "status", "make", "newest"]
PAGE = 51  # the page's 50 and one more, to know there is a next page


def measure(url: str, count: int, repeat: int) -> dict[str, float]:
    import sqlalchemy as sa

    from bench.asset_search import build
    from inventory import create_app
    from inventory.extensions import db
    from inventory.models import Asset, User
    from inventory.services.assets import ASSET_ORDERS, asset_query, sort_key

    print(f"building {count:,} assets ...", flush=True)
    data = build(url, count)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    times: dict[str, float] = {}

    def timed(name: str, select) -> None:
        for _ in range(3):  # warm up
            db.session.scalars(select).all()
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            rows = db.session.scalars(select).all()
            samples.append(time.perf_counter() - start)
        assert len(rows) == PAGE, (name, len(rows))
        times[name] = statistics.median(samples) * 1000

    with app.app_context():
        viewer = db.session.scalar(sa.select(User).where(User.email == "bench@example.org"))
        for sort in SORTS:
            timed(f"{sort}: page 1", asset_query(viewer, sort=sort).limit(PAGE))
            # Where a cursor at 95% of the list would start (found once, outside the timing, by offset).
            deep = db.session.scalars(asset_query(viewer, sort=sort).offset(int(count * 0.95)).limit(1)).one()
            after = (sort_key(deep, sort), deep.id) if ASSET_ORDERS[sort] else deep.id
            db.session.expunge_all()
            count_after = int(count * 0.05) - 1
            if count_after >= PAGE:
                timed(f"{sort}: deep page", asset_query(viewer, sort=sort, after=after).limit(PAGE))
        select = sa.select(Asset.id, Asset.tag, Asset.status).where(Asset.id == sa.bindparam("id"))
        samples = []
        for n in range(repeat * 10):
            start = time.perf_counter()
            db.session.execute(select, {"id": data["ids"][n % len(data["ids"])]}).one()
            samples.append(time.perf_counter() - start)
        times["baseline"] = statistics.median(samples[repeat:]) * 1000
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
    print(f"\n| query | {args.small:,} assets | {args.assets:,} assets | ratio | large / PK look-up |")
    print("|---|---|---|---|---|")
    for name in [n for n in large if n != "baseline"]:
        print(
            f"| {name} | {small[name]:.2f} ms | {large[name]:.2f} ms | {large[name] / small[name]:.1f}x "
            f"| {large[name] / large['baseline']:.0f}x |"
        )
    print(
        f"| primary-key look-up (baseline) | {small['baseline']:.3f} ms | {large['baseline']:.3f} ms "
        f"| {large['baseline'] / small['baseline']:.1f}x | 1x |"
    )


if __name__ == "__main__":
    main()
