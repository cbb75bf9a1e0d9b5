"""What packing, dispatching and receiving a consignment costs, through the API in-process.

    python bench/consignment_receive.py [--items 200] [--database-url URL]

Builds N tablets at the warehouse (SQLite in a temporary folder unless --database-url is given; a
PostgreSQL database is emptied first), then through the API: packs them in one call, dispatches, and
receives half in one call and the other half one scan at a time (as a phone at the hub sends them).
Prints milliseconds per call and per item. The machine is shared: compare runs, not machines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

    import sqlalchemy as sa
    from flask import current_app

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.models import Asset, allocate_tags
    from inventory.services import reference, users

    with fresh_database(url):
        reference.create_organisation(code="P", name="Partner")
        wh = reference.create_location(code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley")
        reference.create_location(code="HUB-A", name="Hub", kind="hub", area="Liverpool", organisation="P")
        user, _ = users.create_user("bench@example.org", "warehouse", password="benchmark-password")
        headers = {"Authorization": f"Bearer {users.create_token(user)}"}
        tags = allocate_tags(db.session, args.items)
        db.session.execute(
            sa.insert(Asset),
            [
                {
                    "tag": t,
                    "type": "tablet",
                    "make": "M",
                    "model": "T",
                    "serial": f"SN{i:09d}",
                    "status": "in_stock",
                    "location_id": wh.id,
                    "wipe_certificate": f"W{i}",
                }
                for i, t in enumerate(tags)
            ],
        )
        db.session.commit()
        client = current_app.test_client()

        def timed(label: str, call, per: int):
            start = time.perf_counter()
            answer = call()
            took = (time.perf_counter() - start) * 1000
            assert answer.status_code < 300, answer.json
            print(f"{label}: {took:.0f} ms ({took / per:.1f} ms per item)")
            return answer

        box = client.post("/api/v1/consignments", json={"to": "HUB-A", "from": "WH-MAIN"}, headers=headers).json["tag"]
        timed(
            f"pack {len(tags)} in one call",
            lambda: client.post(f"/api/v1/consignments/{box}/items", json={"items": tags}, headers=headers),
            len(tags),
        )
        timed(
            "dispatch", lambda: client.post(f"/api/v1/consignments/{box}/dispatch", json={}, headers=headers), len(tags)
        )
        half = len(tags) // 2
        timed(
            f"receive {half} in one call",
            lambda: client.post(f"/api/v1/consignments/{box}/receive", json={"items": tags[:half]}, headers=headers),
            half,
        )
        start = time.perf_counter()
        for tag in tags[half:]:
            answer = client.post(f"/api/v1/consignments/{box}/receive", json={"items": [tag]}, headers=headers)
            assert answer.status_code == 200, answer.json
        took = (time.perf_counter() - start) * 1000
        print(f"receive {len(tags) - half} one scan at a time: {took / (len(tags) - half):.1f} ms per scan")


if __name__ == "__main__":
    main()
