"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
built by the migrations, emptied after every test; and factories for the things tests need."""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from inventory import auth, create_app
from inventory.clock import FrozenClock
from inventory.extensions import db, unit_of_work
from inventory.services import receiving, reference, users

SAMPLES = Path(__file__).resolve().parent.parent / "inventory" / "demo_data"
BASE_URL = "https://kit.example.org"
TODAY = date(2026, 11, 22)  # the suite's "today": every date in the tests is relative to it


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url():
    with tempfile.TemporaryDirectory(prefix="inventory-tests-") as tmp:
        yield _database_url(Path(tmp))


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    app = create_app(
        {
            "FILE_STORAGE_DIR": str(tmp_path_factory.mktemp("files")),
            # Copies of the paperwork would add outbox rows to every reminder test; tests/api/test_copies.py
            # turns them on.
            "PAPERWORK_COPIES": False,
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_BASE_URL": BASE_URL,
            "SECRET_KEY": "test",
            "TODAY": TODAY,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return app


def _empty_tables():
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "tag_counter"]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            # The access log's triggers refuse DELETE (it is append-only): lift them while emptying.
            triggers = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _ in triggers:
                conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                conn.execute(table.delete())
            for _, sql in triggers:
                conn.execute(sa.text(sql))


def _counts_agree():
    """Every test, whatever it changed, leaves the kept counts equal to a recount of their rows."""
    from inventory.services import counts

    db.session.remove()
    with unit_of_work(write=False):
        wrong = counts.differences()
    assert not wrong, "kept counts differ from a recount: " + "; ".join(map(str, wrong))


@pytest.fixture(autouse=True)
def app_context(request):
    """Every test runs in an app context on an empty database (unit tests need neither)."""
    if "unit" in request.node.path.parts:
        yield None
        return
    app = request.getfixturevalue("app")
    app.config["CLOCK"] = FrozenClock.on(TODAY)  # a test that moves the clock on moves only its own
    with app.app_context():
        yield app
        _counts_agree()
        _empty_tables()
        auth.tokens.clear()


@pytest.fixture(scope="session")
def live_server(app):
    """The test app over real HTTP on a free port, one thread per request (as the browser opens several)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def client(app):
    return app.test_client()


_numbers = itertools.count(1)


@pytest.fixture
def world():
    """Two programmes, a warehouse, two partners with a hub each, a mobile unit, and one user and
    API token per role (the partner belongs to the first hub's organisation)."""
    with unit_of_work():
        dii = reference.create_programme(
            code="DII",
            name="Digital Inclusion Initiative",
            connectivity_months=6,
            ownership_rule="on_assessment_pass",
            assessment_name="Level 1",
            pass_mark=70,
        )
        hiw = reference.create_programme(
            code="HIW",
            name="Households into Work",
            connectivity_months=2,
            ownership_rule="on_assessment_pass",
            assessment_name="Level 1",
            pass_mark=70,
        )
        reference.create_organisation(code="OPS", name="Warehouse operator")
        reference.create_organisation(code="PARTNER-A", name="North End Hub")
        reference.create_organisation(code="PARTNER-B", name="Birkenhead Hub")
        wh = reference.create_location(
            code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley", organisation="OPS"
        )
        hub_a = reference.create_location(
            code="HUB-A", name="North End", kind="hub", area="Liverpool", organisation="PARTNER-A"
        )
        hub_b = reference.create_location(
            code="HUB-B", name="Birkenhead", kind="hub", area="Wirral", organisation="PARTNER-B"
        )
        bus = reference.create_location(code="BUS-1", name="Digital bus", kind="mobile_unit", area="Sefton")
        reference.create_kit_template(
            code="DII-TABLET",
            name="Tablet and SIM",
            programme="DII",
            contents=[{"type": "tablet", "count": 1}, {"type": "sim", "count": 1}],
        )
        people = {}
        for role in ("admin", "warehouse", "advocate", "partner"):
            user, _ = users.create_user(
                f"{role}@test.example",
                role,
                password="correct horse battery",
                organisation="PARTNER-A" if role == "partner" else None,
            )
            people[role] = SimpleNamespace(user=user, token=users.create_token(user))
    return SimpleNamespace(
        dii=dii,
        hiw=hiw,
        wh=wh,
        hub_a=hub_a,
        hub_b=hub_b,
        bus=bus,
        people=people,
        headers={role: {"Authorization": f"Bearer {p.token}"} for role, p in people.items()},
        warehouse=people["warehouse"].user,
        admin=people["admin"].user,
    )


def _luhn_complete(body: str) -> str:
    from inventory.identifiers import luhn_ok

    for digit in "0123456789":
        if luhn_ok(body + digit):
            return body + digit
    raise AssertionError("unreachable")


@pytest.fixture
def make_asset(world):
    """Receive one asset through the real service; unique serials, IMEIs and ICCIDs by default."""

    def make(type: str = "tablet", location: str = "WH-MAIN", **fields):
        n = next(_numbers)
        raw = {
            "type": type,
            "make": "Samsung" if type != "sim" else "Vodafone",
            "model": "Galaxy Tab A9",
            "location": location,
            "programme": "DII",
            "condition": "A",
        }
        if type in ("tablet", "laptop", "desktop", "router"):
            raw["serial"] = f"SN{n:08d}"
            raw["wipe_certificate"] = f"WIPE-{n}"
        elif type == "sim":
            raw["iccid"] = _luhn_complete(f"894410260004{n:06d}")
            raw["msisdn"] = f"07700 900{n % 1000:03d}"
        else:
            raw["serial"] = f"FX-{n:06d}"
        raw.update(fields)
        with unit_of_work():
            return receiving.receive_one(raw, world.warehouse)

    return make


@pytest.fixture
def luhn():
    return _luhn_complete


@pytest.fixture
def make_participant(world):
    """Add a participant through the real service, on the demo advocate's caseload by default."""
    from inventory.services import participants

    def make(programme: str = "DII", advocate=None, **fields):
        n = next(_numbers)
        raw = {
            "reference": f"REF-{n:05d}",
            "name": f"Person {n}",
            "phone": "07700 900123",
            "email": f"person{n}@example.org",
            "area": "Knowsley",
            "referral_source": "jobcentre_plus",
            "programme": programme,
            "contact_consent": True,
        }
        raw.update(fields)
        with unit_of_work():
            return participants.create_participant(raw, advocate or world.people["advocate"].user, TODAY)

    return make


@pytest.fixture
def issue(world):
    """Issue tags to a participant through the real service (as the demo advocate, today 2026-11-22)."""
    from inventory.services import issuing

    def do(participant, *tags, issued_on=TODAY, today=TODAY, actor=None, **kwargs):
        with unit_of_work():
            receipt, _ = issuing.issue(
                participant_id=participant.id,
                items=list(tags),
                agreement_accepted=True,
                issued_on=issued_on,
                actor=actor or world.people["advocate"].user,
                today=today,
                **kwargs,
            )
        return receipt

    return do


def at_once(calls, app=None) -> list:
    """Run the calls from separate threads released together by a barrier, each (given `app`) in an
    app context of its own, as concurrent requests or jobs would be. An exception in any call is raised."""
    barrier = threading.Barrier(len(calls))

    def go(call):
        if app is None:
            barrier.wait()
            return call()
        with app.app_context():
            barrier.wait()
            try:
                return call()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


_WAITING = sa.text(
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE NOT l.granted AND a.datname = current_database()"
)


def wait_for_a_lock_wait(what: str) -> None:
    """Return once some transaction on the test database waits for a lock (PostgreSQL): `what` names the
    wait expected, for the failure's message."""
    with db.engine.connect() as connection:
        for _ in range(600):
            if connection.execute(_WAITING).scalar():
                return
            connection.execute(sa.text("SELECT pg_sleep(0.05)"))  # the database's time, not the app's clock
            connection.rollback()
    raise AssertionError(f"{what} never waited")
