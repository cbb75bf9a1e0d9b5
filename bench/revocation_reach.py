"""How long a token revoked elsewhere keeps working: gunicorn with 4 workers, a client hammering it,
the token revoked in the database by another process (as another worker or the command line would).

    python bench/revocation_reach.py [--database-url URL] [--seconds-after 3]

Prints how many requests still succeeded after the revocation was committed and how long after it
the last one was answered. With TOKEN_CACHE_SECONDS at its default of 1, that is under a second.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.scan_lookup import serve  # noqa: E402
from inventory.config import normalise_database_url  # noqa: E402


def build(url: str) -> str:
    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.services import reference, users

    with fresh_database(url):
        reference.create_location(code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley")
        user, _ = users.create_user("bench@example.org", "warehouse", password="benchmark-password")
        token = users.create_token(user)
        db.session.commit()
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--seconds-after", type=float, default=3)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="inventory-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    token = build(url)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16), "PYTHONPATH": str(ROOT)}
    port = 5903
    server = serve("inventory:create_app()", env, port, workers=args.workers)
    answers: list[tuple[float, int]] = []
    stop = threading.Event()

    def hammer():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            conn.request("GET", "/api/v1/stock", headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            answers.append((time.monotonic(), response.status))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    try:
        for t in threads:
            t.start()
        time.sleep(2)  # every worker has seen and cached the token
        # Revoked straight in the database, as another worker or the command line would: none of the
        # serving workers is told.
        engine = sa.create_engine(normalise_database_url(url))
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP"))
        revoked_at = time.monotonic()
        engine.dispose()
        time.sleep(args.seconds_after)
        stop.set()
        for t in threads:
            t.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    after = [(at - revoked_at, status) for at, status in answers if at > revoked_at]
    still = [lag for lag, status in after if status == 200]
    print(f"{len(after)} requests after the revocation; {len(still)} still answered 200")
    print(f"the last 200 came {max(still) if still else 0:.2f} s after the revocation (workers: {args.workers})")


if __name__ == "__main__":
    main()
