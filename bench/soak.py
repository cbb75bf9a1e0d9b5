"""A soak: mixed load for a while on PostgreSQL while things break, then the invariants and the reminders checked.

    python bench/soak.py --database-url postgresql+psycopg://USER:PASS@127.0.0.1/DB [--minutes 10]

What runs (the database is emptied first):
- gunicorn with 4 workers; client threads scanning, listing stock and data plans, issuing kit with an
  Idempotency-Key (retried with the same key after an error), and taking items back;
- a fake GOV.UK Notify that fails (500), stalls (3 s) and drops connections after accepting;
- two `inventory scheduler` processes (one leads, one waits as standby); the leader is killed with
  SIGKILL, mid-batch, every 3 minutes and started again;
- every minute, every database connection of the app is killed with pg_terminate_backend.

Then the outbox is given time to drain and it prints: requests, p50/p99, 5xx other than the 503s a kill
causes (target 0), reminders delivered twice (0) and lost (0), and every broken invariant (none), using
the SQL in tests/invariants.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scan_lookup import serve  # noqa: E402
from inventory.config import normalise_database_url  # noqa: E402
from tests.invariants import broken  # noqa: E402

KINDS = ("plan_ending", "plan_ended", "advocate_digest", "assessment_due")
TEMPLATES = {f"NOTIFY_TEMPLATE_{k.upper()}_{c.upper()}": str(uuid.uuid4()) for k in KINDS for c in ("sms", "email")}
API_KEY = f"soak-{uuid.uuid4()}-{uuid.uuid4()}"
PEOPLE = 150


class FlakyNotify:
    """Accepts most messages; fails some with a 500, stalls some, drops the connection after accepting
    some. Counts how often each of our references was accepted (twice = delivered twice)."""

    def __init__(self, seed: int = 7):
        self.accepted: dict[str, dict] = {}
        self.times: Counter = Counter()
        rng = random.Random(seed)
        lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    roll = rng.random()
                if roll < 0.10:
                    return self._json(500, {"status_code": 500, "errors": [{"error": "Exception", "message": "x"}]})
                if roll < 0.15:
                    time.sleep(3)
                with lock:
                    fake.times[body["reference"]] += 1
                    fake.accepted.setdefault(body["reference"], {"id": str(uuid.uuid4())})
                if roll < 0.20:  # accepted, then the answer is lost
                    self.close_connection = True
                    self.connection.close()
                    return
                return self._json(201, {"id": fake.accepted[body["reference"]]["id"]})

            def do_GET(self):  # noqa: N802
                reference = parse_qs(urlsplit(self.path).query).get("reference", [""])[0]
                with lock:
                    found = [{"id": fake.accepted[reference]["id"]}] if reference in fake.accepted else []
                self._json(200, {"notifications": found, "links": {}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def build(url: str):
    """Reference data, an advocate with PEOPLE participants, a tablet and a SIM in stock for each, and
    a warehouse user; returns tokens and the participants' ids."""
    from bench.setup import fresh_database
    from inventory import clock
    from inventory.extensions import db
    from inventory.services import participants, receiving, reference, users

    with fresh_database(url) as programme:
        reference.create_location(code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley")
        advocate, _ = users.create_user("advocate@soak.example", "advocate", password="soak advocate passphrase")
        warehouse, _ = users.create_user("warehouse@soak.example", "warehouse", password="soak warehouse passphrase")
        rows = []
        for i in range(PEOPLE):
            rows.append(
                {
                    "type": "tablet",
                    "make": "Samsung",
                    "model": "A9",
                    "serial": f"SOAK{i:06d}",
                    "condition": "A",
                    "wipe_certificate": f"W{i}",
                    "location": "WH-MAIN",
                    "programme": "DII",
                }
            )
            rows.append(
                {
                    "type": "sim",
                    "make": "Vodafone",
                    "model": "SIM",
                    "iccid": _iccid(i),
                    "msisdn": f"07700 9{i:05d}",
                    "condition": "A",
                    "location": "WH-MAIN",
                    "programme": "DII",
                }
            )
        for row in rows:
            receiving.receive_one(row, warehouse)
        people = []
        for i in range(PEOPLE):
            person = participants.create_participant(
                {
                    "reference": f"SOAK-{i:04d}",
                    "name": f"Person {i}",
                    "phone": f"07700 9{i:05d}",
                    "email": f"person{i}@soak.example",
                    "area": "Knowsley",
                    "referral_source": "jobcentre_plus",
                    "programme": programme.code,
                    "contact_consent": True,
                    "advocate": None,
                },
                advocate,
                clock.today(),
            )
            people.append(person.id)
        tokens = {"advocate": users.create_token(advocate), "warehouse": users.create_token(warehouse)}
        db.session.commit()
        today = clock.today()  # the app's clock, as the server under load reads it
    return tokens, people, today


def _iccid(i: int) -> str:
    from inventory.identifiers import luhn_ok

    body = f"894410260099{i:06d}"
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def main() -> None:  # noqa: C901 - a script that runs one long scenario
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args()
    url = normalise_database_url(args.database_url)
    print("building ...", flush=True)
    tokens, people, today = build(url)
    notify = FlakyNotify()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "PYTHONPATH": str(ROOT),
        "NOTIFIER": "govuk_notify",
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_TIMEOUT": "2",
        **TEMPLATES,
    }
    port = 5904
    web = serve("inventory:create_app()", env, port, workers=4)
    base = f"http://127.0.0.1:{port}"
    inventory = str(Path(sys.executable).parent / "inventory")
    log_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"soak-{os.getpid()}"
    log_dir.mkdir(exist_ok=True)

    def scheduler(n: int) -> subprocess.Popen:
        return subprocess.Popen(
            [inventory, "scheduler"],
            env=env,
            stdout=open(log_dir / f"scheduler-{n}.log", "a"),
            stderr=subprocess.STDOUT,
        )

    schedulers = [scheduler(0), scheduler(1)]
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    stop = threading.Event()
    results: list[tuple[str, int, float]] = []
    results_lock = threading.Lock()
    failures: Counter = Counter()

    def call(kind, method, path, token, **kw):
        started = time.perf_counter()
        try:
            r = requests.request(
                method,
                base + path,
                headers={"Authorization": f"Bearer {token}", **kw.pop("headers", {})},
                timeout=30,
                **kw,
            )
            status = r.status_code
        except requests.RequestException as error:
            r, status = None, 0
            with results_lock:
                failures[f"{kind}: {type(error).__name__}"] += 1
        with results_lock:
            results.append((kind, status, (time.perf_counter() - started) * 1000))
        return r

    def client(n: int):
        rng = random.Random(n)
        while not stop.is_set():
            roll = rng.random()
            if roll < 0.4:
                call("scan", "GET", f"/api/v1/scan?code=SOAK{rng.randrange(PEOPLE):06d}", tokens["warehouse"])
            elif roll < 0.6:
                call("list", "GET", "/api/v1/stock", tokens["warehouse"])
                call("list", "GET", "/api/v1/data-plans?ending_within=30", tokens["advocate"])
            elif roll < 0.85:
                person = rng.choice(people)
                stock = call("list", "GET", "/api/v1/assets?status=in_stock&page_size=50", tokens["warehouse"])
                if stock is None or stock.status_code != 200:
                    continue
                free = stock.json()
                tablets = [a["tag"] for a in free if a["type"] == "tablet"]
                sims = [a["tag"] for a in free if a["type"] == "sim"]
                if not tablets or not sims:
                    continue
                # Backdated, so the free data ends within the week and reminders fall due.
                body = {
                    "participant": person,
                    "items": [rng.choice(tablets), rng.choice(sims)],
                    "agreement_accepted": True,
                    "issued_on": str(today - timedelta(days=178)),
                }
                key = str(uuid.uuid4())
                for _ in range(4):  # a dropped connection or a 503: the same key again
                    r = call(
                        "issue",
                        "POST",
                        "/api/v1/loans",
                        tokens["advocate"],
                        json=body,
                        headers={"Idempotency-Key": key},
                    )
                    if r is not None and r.status_code < 500:
                        break
                    time.sleep(1)
            else:
                # Kit comes back from half the participants only, so the others' plans run to their reminders.
                keeper = rng.choice(people[::2])
                loans = call(
                    "list", "GET", f"/api/v1/data-plans?status=active&participant={keeper}", tokens["advocate"]
                )
                if loans is not None and loans.status_code == 200 and loans.json():
                    sim = rng.choice(loans.json())["sim"]
                    call(
                        "return",
                        "POST",
                        f"/api/v1/assets/{sim}/return",
                        tokens["advocate"],
                        json={"location": "WH-MAIN"},
                    )

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    kills: list[float] = []
    started = time.monotonic()
    end = started + args.minutes * 60
    for t in threads:
        t.start()
    next_kill, next_scheduler_kill, n = started + 60, started + 180, 2
    try:
        while time.monotonic() < end:
            time.sleep(1)
            now = time.monotonic()
            if now >= next_kill:
                with killer.begin() as conn:
                    conn.execute(
                        sa.text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = 'inventory' AND pid <> pg_backend_pid() "
                            "AND datname = current_database()"
                        )
                    )
                kills.append(now)
                next_kill += 60
            if now >= next_scheduler_kill:
                leader = next((s for s in schedulers if s.poll() is None), None)
                if leader is not None:
                    leader.send_signal(signal.SIGKILL)
                    leader.wait()
                    schedulers.remove(leader)
                    schedulers.append(scheduler(n))
                    n += 1
                next_scheduler_kill += 180
    finally:
        stop.set()
        for t in threads:
            t.join()
    print("load over; a last sweep, then the outbox drains ...", flush=True)
    subprocess.run([inventory, "reminders", "sweep"], env=env, check=True, capture_output=True)
    with killer.connect() as conn:
        for _ in range(90):
            waiting = conn.execute(
                sa.text("SELECT count(*) FROM notifications WHERE status IN ('queued','sending')")
            ).scalar()
            if not waiting:
                break
            time.sleep(2)
    for s in schedulers:
        s.send_signal(signal.SIGTERM)
    for s in schedulers:
        try:
            s.wait(timeout=30)
        except subprocess.TimeoutExpired:
            s.kill()
    web.send_signal(signal.SIGTERM)
    try:
        web.wait(timeout=40)
    except subprocess.TimeoutExpired:
        web.kill()

    with killer.connect() as conn:
        sent = dict(conn.execute(sa.text("SELECT 'inventory-' || id, status FROM notifications")).all())
        outbox_states = dict(conn.execute(sa.text("SELECT status, count(*) FROM notifications GROUP BY status")).all())
        invariants = broken(conn)
    duplicated = sum(1 for ref, times in notify.times.items() if times > 1)
    lost = sum(1 for ref, status in sent.items() if status == "sent" and ref not in notify.accepted)
    stuck = sum(1 for status in sent.values() if status in ("queued", "sending"))
    statuses = Counter(status for _, status, _ in results)
    latencies = sorted(ms for _, status, ms in results if status and status < 500)
    by_kind = defaultdict(int)
    for kind, _, _ in results:
        by_kind[kind] += 1
    print(f"minutes {args.minutes}, clients {args.clients}, connection kills {len(kills)}, scheduler kills {n - 2}")
    print(f"requests {len(results)} ({dict(by_kind)}); statuses {dict(sorted(statuses.items()))}")
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"p50 {statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms")
    other_5xx = sum(c for s, c in statuses.items() if s >= 500 and s != 503)
    print(f"5xx other than 503: {other_5xx}; 503: {statuses.get(503, 0)}; no answer: {statuses.get(0, 0)}")
    print(
        f"reminders: {len(sent)} in the outbox, {len(notify.accepted)} reached Notify; "
        f"delivered twice {duplicated}, lost {lost}, still waiting {stuck}"
    )
    print(f"outbox by status: {outbox_states}; requests with no answer: {dict(failures) or 'none'}")
    print(f"invariants broken: {invariants or 'none'}")
    print(f"logs in {log_dir}")


if __name__ == "__main__":
    main()
