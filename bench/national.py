"""Every path of issue 18's table at a small and a national size, against a primary-key look-up timed in
the same run.

    python bench/national.py --small-url postgresql+psycopg://U:P@HOST/bench_small \\
        --national-url postgresql+psycopg://U:P@HOST/bench_national [--assets 1000000] [--small 10000] [--repeat 15]

Each database is built once, reproducibly (a seeded generator), by the migrations and then in bulk with
PostgreSQL's COPY: assets over a warehouse and 105 hubs (3 programmes, 6 areas; most held, some on loan,
owned, retired), one participant per ten assets on 30 advocates' caseloads, their loans (two or three
items each), a data plan per SIM issued, assessments, ownership transfers of owned items, three events an
asset, sent reminders and deliveries; then the kept counts are filled by `counts.repair()` and the tables
analysed. A marker row remembers what was built (size, seed, migration head), so a rerun on the same
database skips straight to the timings; a rerun after a new migration applies it to the rows built (and
refills the kept counts) rather than building again.

Times are the server's own (the Flask test client in-process: routing, authentication, arguments, queries,
templates, schemas), the median of `--repeat` runs after a warm-up. The two data sets take turns, call by
call, so that on a shared machine both see the same load and their ratio means something. Jobs are timed as
their service call inside a transaction that is rolled back, so a rerun finds the same data.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 18
TODAY = date(2026, 11, 22)
AREAS = ["Halton", "Knowsley", "Liverpool", "Sefton", "St Helens", "Wirral"]
MAKES = [
    ("Samsung", "Galaxy Tab A9"),
    ("Lenovo", "Tab M10"),
    ("Dell", "Latitude 5400"),
    ("HP", "ProBook 450"),
    ("Vodafone", "Data SIM"),
    ("EE", "Data SIM"),
    ("IKEA", "Markus"),
    ("Argos", "Home desk"),
] + [(f"Maker{n:02d}", f"Model {n}") for n in range(16)]
TYPES = ["tablet", "sim", "laptop", "sim", "tablet", "chair", "desk", "sim"]
PASSWORD = "benchmark-password-18"
ADVOCATES = 30
HUBS = 105

# path name -> what the table calls it
PATHS = [
    ("assets ?q=tag", "GET /api/v1/assets?q=TAG"),
    ("assets ?q=serial", "GET /api/v1/assets?q=SERIAL"),
    ("assets ?q=prefix", "GET /api/v1/assets?q=fairph (a make prefix)"),
    ("assets ?q=no match", "GET /api/v1/assets?q=zzqx"),
    ("assets page 5000", "GET /api/v1/assets, page 5000 (by cursor, at 250,000 rows or 50% of them)"),
    ("assets last page", "GET /api/v1/assets, the last page (by cursor)"),
    ("assets page 1", "GET /api/v1/assets, page 1"),
    ("api stock", "GET /api/v1/stock (admin)"),
    ("api stock partner", "GET /api/v1/stock (a partner)"),
    ("web stock", "/stock (warehouse)"),
    ("web deliveries", "/deliveries"),
    ("api outcome report", "GET /api/v1/reports/outcomes"),
    ("web reports", "/reports"),
    ("api outbox", "an advocate's outbox, GET /api/v1/notifications"),
    ("web reminders", "/reminders (an advocate)"),
    ("retention job", "retention job (nightly, since its last run)"),
    ("assessment-due job", "assessment-due reminders job (daily, since its last run)"),
    ("participant search", "participant search by a fragment (/participants, posted)"),
    ("participant ?reference=", "GET /api/v1/participants?reference=…"),
]


def _copy(raw, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples; None is NULL) into table: the fastest bulk load PostgreSQL has."""
    n = 0
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _marker(conn) -> str | None:
    import sqlalchemy as sa

    try:
        return conn.execute(sa.text("SELECT what FROM bench_national")).scalar()
    except Exception:
        conn.rollback()
        return None


def build(url: str, assets: int, seed: int = SEED) -> None:
    """Build the data set of `assets` assets on `url` unless the same one is there already."""
    import sqlalchemy as sa
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from inventory import create_app
    from inventory.extensions import db, unit_of_work
    from inventory.models import allocate_tags
    from inventory.services import agreements, counts, reference, users

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        head = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_current_head()
        rows = f"assets={assets} seed={seed}"
        wanted = f"{rows} head={head}"
        with db.engine.connect() as conn:
            found = _marker(conn)
        if found == wanted:
            print(f"  {url.rsplit('/', 1)[-1]}: built already ({wanted})", flush=True)
            return
        if found and found.startswith(rows + " head="):
            # The same rows under an older schema: migrate them (as production would) rather than build
            # again, so the figures before and after a migration are taken on the same data.
            started = time.monotonic()
            upgrade()
            with unit_of_work():
                counts.repair()  # fills counts a migration may have added
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE bench_national SET what = :w"), {"w": wanted})
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
            print(f"  {url.rsplit('/', 1)[-1]}: migrated to {head} in {time.monotonic() - started:.0f} s", flush=True)
            db.engine.dispose()
            return
        started = time.monotonic()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        rng = random.Random(seed)
        with unit_of_work():
            programmes = [
                reference.create_programme(
                    code=code,
                    name=name,
                    connectivity_months=months,
                    ownership_rule="on_assessment_pass",
                    assessment_name="Level 1",
                    pass_mark=70,
                )
                for code, name, months in (
                    ("DII", "Digital Inclusion", 6),
                    ("HIW", "Households", 2),
                    ("PTW", "Pathways", 6),
                )
            ]
            reference.create_organisation(code="OPS", name="Warehouse operator")
            wh = reference.create_location(
                code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley", organisation="OPS"
            )
            hubs = []
            for n in range(HUBS):
                reference.create_organisation(code=f"ORG-{n:03d}", name=f"Partner {n}")
                hubs.append(
                    reference.create_location(
                        code=f"HUB-{n:03d}", name=f"Hub {n}", kind="hub", area=AREAS[n % 6], organisation=f"ORG-{n:03d}"
                    )
                )
            admin, _ = users.create_user("admin@bench.example", "admin", password=PASSWORD)
            users.create_user("warehouse@bench.example", "warehouse", password=PASSWORD)
            users.create_user("partner@bench.example", "partner", password=PASSWORD, organisation="ORG-000")
            advocates = [
                users.create_user(f"advocate{n}@bench.example", "advocate", password=PASSWORD)[0]
                for n in range(ADVOCATES)
            ]
            tags = allocate_tags(db.session, assets)
            programme_ids = [p.id for p in programmes]
            agreement_ids = {p.id: agreements.current(p).id for p in programmes}
            places = [wh.id] * 30 + [h.id for h in hubs]
            admin_id, advocate_ids = admin.id, [a.id for a in advocates]
        raw = db.engine.raw_connection()
        try:
            _fill(raw, rng, assets, tags, programme_ids, agreement_ids, places, admin_id, advocate_ids)
            raw.commit()
        finally:
            raw.close()
        print(f"  rows copied in {time.monotonic() - started:.0f} s; filling the kept counts", flush=True)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        with unit_of_work():
            counts.repair()
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE bench_national (what text)"))
            conn.execute(sa.text("INSERT INTO bench_national VALUES (:w)"), {"w": wanted})
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
        db.engine.dispose()


def _fill(raw, rng, n_assets, tags, programme_ids, agreement_ids, places, admin_id, advocate_ids) -> None:
    """Every row, made up in order so that ids are known without asking the database."""
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    day0 = date(2024, 1, 1)
    span = (TODAY - day0).days
    participants = max(1, n_assets // 10)
    # Assets: (status, location); those on loan or owned are handed out to participants below.
    statuses = []
    for _ in range(n_assets):
        r = rng.random()
        status = (
            "in_stock"
            if r < 0.62
            else "received"
            if r < 0.66
            else "quarantine"
            if r < 0.71
            else "repair"
            if r < 0.736
            else "on_loan"
            if r < 0.88
            else "owned"
            if r < 0.96
            else "retired"
        )
        statuses.append(status)

    def asset_rows():
        for i in range(n_assets):
            kind = TYPES[i % len(TYPES)]
            make, model = ("Fairphone", "Fairphone 4") if rng.random() < 0.005 else rng.choice(MAKES)
            received = t0 + timedelta(minutes=i * span * 1440 // max(n_assets, 1))
            yield (
                i + 1,
                tags[i],
                kind,
                make,
                model,
                f"SN{i:09d}",
                f"35{i:013d}" if kind == "tablet" else None,
                f"8944{i:015d}" if kind == "sim" else None,
                statuses[i],
                rng.choice(places),
                programme_ids[i % 3],
                "A",
                f"B{i // 2000:05d}",
                received,
                received,
            )

    _copy(
        raw,
        "assets",
        [
            "id",
            "tag",
            "type",
            "make",
            "model",
            "serial",
            "imei",
            "iccid",
            "status",
            "location_id",
            "programme_id",
            "condition",
            "batch",
            "received_at",
            "label_printed_at",
        ],
        asset_rows(),
    )
    batches = (n_assets + 1999) // 2000
    _copy(
        raw,
        "deliveries",
        ["id", "batch", "received_at", "assets", "labelled"],
        (
            (
                b + 1,
                f"B{b:05d}",
                t0 + timedelta(days=b * span // batches),
                min(2000, n_assets - b * 2000),
                min(2000, n_assets - b * 2000),
            )
            for b in range(batches)
        ),
    )
    # Participants, on the advocates' caseloads.
    people = []
    for p in range(participants):
        enrolled = day0 + timedelta(days=p * span // participants)
        people.append((p + 1, AREAS[p % 6], programme_ids[p % 3], advocate_ids[p % len(advocate_ids)], enrolled))
    _copy(
        raw,
        "participants",
        [
            "id",
            "reference",
            "name",
            "phone",
            "email",
            "area",
            "referral_source",
            "programme_id",
            "contact_consent",
            "advocate_id",
            "enrolled_on",
            "created_at",
        ],
        (
            (
                pid,
                f"REF-{pid:07d}",
                f"Person {pid}",
                "+447700900123",
                f"p{pid}@example.org",
                area,
                "jobcentre_plus",
                prog,
                True,
                adv,
                enrolled,
                datetime(enrolled.year, enrolled.month, enrolled.day, tzinfo=UTC),
            )
            for pid, area, prog, adv, enrolled in people
        ),
    )
    # Loans of two or three items (on loan or owned) to participants in turn.
    out = [i for i in range(n_assets) if statuses[i] in ("on_loan", "owned")]
    loans, items, plans, transfers, transfer_items, assessments = [], [], [], [], [], []
    position = 0
    loan_id = 0
    while position < len(out):
        size = 2 + (loan_id % 2)
        chunk = out[position : position + size]
        position += size
        loan_id += 1
        pid, area, prog, adv, enrolled = people[(loan_id - 1) % participants]
        issued = min(TODAY, enrolled + timedelta(days=rng.randint(0, 60)))
        loans.append(
            (
                loan_id,
                pid,
                prog,
                issued,
                adv,
                agreement_ids[prog],
                f"bench{loan_id:019d}",
                datetime(issued.year, issued.month, issued.day, tzinfo=UTC),
            )
        )
        owned = [i for i in chunk if statuses[i] == "owned"]
        for i in chunk:
            items.append((len(items) + 1, loan_id, i + 1, TYPES[i % len(TYPES)], None))
            if TYPES[i % len(TYPES)] == "sim":
                months = 2 if prog == programme_ids[1] else 6
                ends = issued + timedelta(days=30 * months)
                plans.append((len(plans) + 1, loan_id, pid, i + 1, issued, months, ends, None))
        if rng.random() < 0.6:
            taken = min(TODAY, issued + timedelta(days=rng.randint(7, 50)))
            assessments.append((len(assessments) + 1, pid, 18, 20, taken, "classroom", True, adv, taken))
            if owned:
                transfers.append((len(transfers) + 1, pid, prog, taken, len(assessments)))
                base = len(transfer_items)
                transfer_items.extend((base + k + 1, len(transfers), i + 1) for k, i in enumerate(owned))
    _copy(
        raw,
        "loans",
        [
            "id",
            "participant_id",
            "programme_id",
            "issued_on",
            "issued_by_id",
            "agreement_id",
            "document_key",
            "created_at",
        ],
        loans,
    )
    _copy(raw, "loan_items", ["id", "loan_id", "asset_id", "asset_type", "returned_on"], items)
    _copy(
        raw,
        "data_plans",
        ["id", "loan_id", "participant_id", "sim_id", "starts_on", "months", "ends_on", "ended_on"],
        plans,
    )
    _copy(
        raw,
        "assessments",
        ["id", "participant_id", "score", "max_score", "taken_on", "venue", "passed", "recorded_by_id", "created_at"],
        (
            (a, p, s, m, t, v, ok, r, datetime(c.year, c.month, c.day, tzinfo=UTC))
            for a, p, s, m, t, v, ok, r, c in assessments
        ),
    )
    _copy(
        raw,
        "transfers",
        ["id", "participant_id", "programme_id", "transferred_on", "assessment_id", "verify_code", "created_at"],
        (
            (t, p, g, d, a, f"bench{t:019d}", datetime(d.year, d.month, d.day, tzinfo=UTC))
            for t, p, g, d, a in transfers
        ),
    )
    _copy(raw, "transfer_items", ["id", "transfer_id", "asset_id"], transfer_items)

    # Sent reminders: two a plan, and a digest a week for each advocate.
    def notification_rows():
        n = 0
        for plan_id, _, pid, _, _, _, ends, _ in plans:
            for days in (30, 7):
                n += 1
                due = ends - timedelta(days=days)
                sent = datetime(due.year, due.month, due.day, 9, tzinfo=UTC)
                yield (
                    n,
                    f"plan:{plan_id}:day:{days}:ends:{ends}",
                    "plan_ending",
                    "sms",
                    "sent",
                    due,
                    pid,
                    None,
                    plan_id,
                    days,
                    1,
                    False,
                    sent,
                    sent,
                )
        for week in range(span // 7):
            due = day0 + timedelta(days=week * 7)
            for adv in advocate_ids:
                n += 1
                sent = datetime(due.year, due.month, due.day, 9, tzinfo=UTC)
                yield (
                    n,
                    f"digest:{adv}:{due}",
                    "advocate_digest",
                    "email",
                    "sent",
                    due,
                    None,
                    adv,
                    None,
                    None,
                    1,
                    False,
                    sent,
                    sent,
                )

    _copy(
        raw,
        "notifications",
        [
            "id",
            "key",
            "kind",
            "channel",
            "status",
            "due_on",
            "participant_id",
            "advocate_id",
            "data_plan_id",
            "days_before",
            "attempts",
            "outcome_unknown",
            "sent_at",
            "created_at",
        ],
        notification_rows(),
    )
    with raw.cursor() as cur:  # each reminder is listed in its participant's advocate's outbox, a digest in its own
        cur.execute(
            "UPDATE notifications n SET outbox_advocate_id = p.advocate_id"
            " FROM participants p WHERE p.id = n.participant_id"
        )
        cur.execute("UPDATE notifications SET outbox_advocate_id = advocate_id WHERE participant_id IS NULL")

    # Three events an asset: received, checked into stock or moved, and one more change.
    def event_rows():
        n = 0
        for i in range(n_assets):
            at = t0 + timedelta(minutes=i * span * 1440 // max(n_assets, 1))
            for action, to in (("receive", "received"), ("restock", "in_stock"), ("move", statuses[i])):
                n += 1
                yield (n, at, admin_id, i + 1, action, to)
                at += timedelta(hours=1)

    _copy(raw, "events", ["id", "at", "actor_id", "asset_id", "action", "to_status"], event_rows())
    with raw.cursor() as cur:
        for table in (
            "assets",
            "deliveries",
            "participants",
            "loans",
            "loan_items",
            "data_plans",
            "assessments",
            "transfers",
            "transfer_items",
            "notifications",
            "events",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest((SELECT max(id) FROM {table}), 1))"
            )
    print(
        f"  {n_assets:,} assets, {participants:,} participants, {len(loans):,} loans, {len(items):,} loan items, "
        f"{len(plans):,} plans, {len(assessments):,} assessments, {len(transfers):,} transfers, "
        f"{3 * n_assets:,} events",
        flush=True,
    )


def _csrf(page) -> str:
    from flask import g

    g.pop("csrf_token", None)  # flask-wtf keeps a token in `g`; every client here has its own session
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def _signed_in(app, email: str):
    client = app.test_client()
    token = _csrf(client.get("/sign-in"))
    answer = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": ""})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    from flask import g

    g.pop("csrf_token", None)
    return client, _csrf(client.get("/participants" if "advocate" in email else "/stock"))


def prepare(url: str, assets: int) -> list[tuple[str, Callable[[], Any], int]]:
    """Build the data set of `assets` assets if needed; every timed path as (name, call, status wanted),
    each call in an application context of its own, so two data sets' calls can alternate."""
    import sqlalchemy as sa

    from inventory import create_app
    from inventory.api.common import cursor_after
    from inventory.clock import FrozenClock
    from inventory.extensions import db, unit_of_work
    from inventory.models import Asset
    from inventory.services import privacy, reminders, users

    print(f"{assets:,} assets:", flush=True)
    build(url, assets)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TODAY": TODAY})
    app.config["CLOCK"] = FrozenClock.on(TODAY)
    logging.getLogger("inventory").setLevel(logging.WARNING)  # no access line per timed request
    rng = random.Random(SEED + 1)
    with app.app_context():
        with unit_of_work():
            from inventory.models import User

            tokens = {
                role: users.create_token(
                    db.session.scalar(sa.select(User).where(User.email == f"{role}@bench.example"))
                )
                for role in ("admin", "warehouse", "partner", "advocate0")
            }
        count = db.session.scalar(sa.select(sa.func.max(Asset.id)))
        sample = [rng.randrange(1, count + 1) for _ in range(15)]
        tags = list(db.session.scalars(sa.select(Asset.tag).where(Asset.id.in_(sample))))
        db.session.rollback()
        clients = {
            "warehouse": _signed_in(app, "warehouse@bench.example")[0],
            "admin": _signed_in(app, "admin@bench.example")[0],
            "advocate": _signed_in(app, "advocate0@bench.example"),
        }
        with app.test_request_context("/api/v1/assets"):
            page5000 = cursor_after(min(250_000, count // 2), {})
            last = cursor_after(count - 30, {})
    api = app.test_client()
    advocate, csrf = clients["advocate"]

    def get(role, path):
        return lambda: api.get(path, headers={"Authorization": f"Bearer {tokens[role]}"})

    def job(run):
        def call():
            try:
                with unit_of_work():
                    run()
                    raise _RollBack
            except _RollBack:
                pass

        return call

    select = sa.select(Asset.id, Asset.tag, Asset.status).where(Asset.id == sa.bindparam("id"))
    cycle = iter(range(10**9))

    def baseline() -> float:
        """The look-up alone, timed here: the median of five in a row, not the application context around
        them nor the connection's check-out."""
        db.session.execute(select, {"id": sample[next(cycle) % 15]}).one()
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            db.session.execute(select, {"id": sample[next(cycle) % 15]}).one()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    calls = {
        "assets ?q=tag": lambda: get("warehouse", f"/api/v1/assets?q={tags[next(cycle) % len(tags)]}")(),
        "assets ?q=serial": lambda: get("warehouse", f"/api/v1/assets?q=SN{sample[next(cycle) % 15] - 1:09d}")(),
        "assets ?q=prefix": get("warehouse", "/api/v1/assets?q=fairph"),
        "assets ?q=no match": get("warehouse", "/api/v1/assets?q=zzqx"),
        "assets page 5000": get("warehouse", f"/api/v1/assets?cursor={page5000}"),
        "assets last page": get("warehouse", f"/api/v1/assets?cursor={last}"),
        "assets page 1": get("warehouse", "/api/v1/assets"),
        "api stock": get("admin", "/api/v1/stock"),
        "api stock partner": get("partner", "/api/v1/stock"),
        "web stock": lambda: clients["warehouse"].get("/stock"),
        "web deliveries": lambda: clients["warehouse"].get("/deliveries"),
        "api outcome report": get("admin", "/api/v1/reports/outcomes"),
        "web reports": lambda: clients["admin"].get("/reports"),
        "api outbox": get("advocate0", "/api/v1/notifications"),
        "web reminders": lambda: advocate.get("/reminders"),
        "retention job": job(lambda: privacy.anonymise_expired(TODAY, 24, catch_up_days=2)),
        "assessment-due job": job(lambda: reminders.queue_assessment_reminders(TODAY, 4, catch_up_days=2)),
        "participant search": lambda: advocate.post("/participants", data={"search": "0042", "csrf_token": csrf}),
        "participant ?reference=": get("advocate0", "/api/v1/participants?reference=REF-0000031"),
        "baseline": baseline,
    }

    def in_context(call):
        def run():
            with app.app_context():
                return call()

        return run

    return [(name, in_context(call), 200) for name, call in calls.items()]


def measure(sets: list[list[tuple[str, Callable[[], Any], int]]], repeat: int) -> list[dict[str, float]]:
    """Median milliseconds per path on each data set. The sets take turns, call by call, so that both
    see the same load on a shared machine (the ratio between them is what the issue's targets are)."""
    times: list[dict[str, float]] = [{} for _ in sets]
    for paths in zip(*sets, strict=True):
        name = paths[0][0]
        rounds = repeat * 5 if name == "baseline" else repeat
        for _, call, _ in paths:
            for _ in range(3):
                call()  # warm up
        samples: list[list[float]] = [[] for _ in sets]
        for _ in range(rounds):
            for n, (_, call, status) in enumerate(paths):
                start = time.perf_counter()
                answer = call()
                samples[n].append(answer if isinstance(answer, float) else time.perf_counter() - start)
                got = getattr(answer, "status_code", status)
                assert got == status, (name, got, answer.get_data(as_text=True)[:300])
        for n in range(len(sets)):
            times[n][name] = statistics.median(samples[n]) * 1000
        print(f"  {name}: " + " / ".join(f"{t[name]:.2f} ms" for t in times), flush=True)
    return times


class _RollBack(Exception):
    pass


def explain(url: str) -> None:
    """The jobs' plans at this size (EXPLAIN ANALYZE), to check they read by index."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from inventory import create_app
    from inventory.dates import add_months
    from inventory.extensions import db
    from inventory.services import privacy

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        cutoff = add_months(TODAY, -24)
        started = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC)
        query = privacy._just_expired(cutoff, started, 2)
        sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        for line in db.session.execute(sa.text("EXPLAIN (ANALYZE, COSTS OFF) " + sql)).scalars():
            print("   ", line)
        db.session.rollback()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-url", required=True)
    parser.add_argument("--national-url", required=True)
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="also print the retention look-back's plan")
    args = parser.parse_args()
    small, large = measure([prepare(args.small_url, args.small), prepare(args.national_url, args.assets)], args.repeat)
    if args.explain:
        explain(args.national_url)
    print(f"\n| path | {args.small:,} assets | {args.assets:,} assets | ratio | national / PK look-up |")
    print("|---|---|---|---|---|")
    for name, described in PATHS:
        print(
            f"| {described} | {small[name]:.1f} ms | {large[name]:.1f} ms | {large[name] / small[name]:.1f}x "
            f"| {large[name] / large['baseline']:.0f}x |"
        )
    print(
        f"| primary-key look-up (baseline) | {small['baseline']:.2f} ms | {large['baseline']:.2f} ms "
        f"| {large['baseline'] / small['baseline']:.1f}x | 1x |"
    )


if __name__ == "__main__":
    main()
