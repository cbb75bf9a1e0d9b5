"""The database drops under the app: a 503 with Retry-After (JSON, or a page for people), never a bare
500, and the next request works without a restart. The PostgreSQL tests end the app's own connections
with pg_terminate_backend from an administrator's connection, in the middle of real requests."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from inventory import create_app
from inventory.extensions import db, rollback_quietly

DOWN = {"code": 503, "message": "The database is not answering; try again in a moment"}


def _dropped() -> sa.exc.OperationalError:
    return sa.exc.OperationalError(
        "SELECT 1", {}, psycopg.OperationalError("server closed the connection unexpectedly")
    )


@pytest.fixture
def app_with_drops(tmp_path):
    """An app of its own (on SQLite) with routes that fail as a dropped connection does."""
    app = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3"}
    )

    @app.route("/api/v1/_drop")
    def api_drop():
        raise _dropped()

    @app.route("/_drop")
    def page_drop():
        raise _dropped()

    @app.route("/api/v1/_commit_drops", methods=["POST"])
    def commit_drops():
        db.session.execute(sa.text("SELECT 1"))

        def fail(session):
            raise _dropped()

        event.listen(db.session(), "before_commit", fail, once=True)
        return {"done": True}, 201

    return app


def test_a_request_whose_connection_dropped_answers_503_json_with_retry_after(app_with_drops):
    r = app_with_drops.test_client().get("/api/v1/_drop")
    assert r.status_code == 503
    assert r.json == DOWN
    assert r.headers["Retry-After"] == "5"
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_a_person_on_a_page_sees_a_page_saying_to_try_again(app_with_drops):
    r = app_with_drops.test_client().get("/_drop", headers={"Accept": "text/html"})
    assert r.status_code == 503 and r.mimetype == "text/html"
    assert r.headers["Retry-After"] == "5"
    assert "The database is not answering; try again in a moment" in r.text
    assert "Content-Security-Policy" in r.headers


def test_a_commit_that_fails_on_a_dead_connection_is_a_503_not_the_answer_it_was_going_to_give(app_with_drops):
    r = app_with_drops.test_client().post("/api/v1/_commit_drops", json={})
    assert r.status_code == 503 and r.json == DOWN
    assert r.headers["Retry-After"] == "5"
    assert r.headers["Content-Security-Policy"]  # the other hooks' headers stay


def test_a_rollback_on_a_dead_connection_does_not_raise(app_with_drops, monkeypatch):
    with app_with_drops.app_context():
        db.session.execute(sa.text("SELECT 1"))
        calls = []

        def rollback(self):
            calls.append(1)
            raise _dropped()

        monkeypatch.setattr(sa.orm.Session, "rollback", rollback)
        assert rollback_quietly() is True
        monkeypatch.undo()
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
    assert calls


def test_other_database_errors_stay_500s(app_with_drops):
    app = app_with_drops

    @app.route("/api/v1/_bug")
    def bug():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    r = app.test_client().get("/api/v1/_bug")
    assert r.status_code == 500 and "Retry-After" not in r.headers


def test_the_pool_checks_connections_before_use_and_names_them_on_postgresql():
    from inventory.config import engine_options

    assert engine_options("sqlite:///x", {}) == {"pool_pre_ping": True}
    pg = engine_options("postgresql+psycopg://u@h/d", {"pool_size": 3})
    assert pg["pool_pre_ping"] and pg["pool_size"] == 3
    assert pg["connect_args"]["application_name"] == "inventory"


# --- On PostgreSQL: kill the app's connections for real ------------------------------------------------

on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="ends backends with pg_terminate_backend: PostgreSQL only"
)


@pytest.fixture
def admin(app):
    """A connection of its own (not the app's pool), to end the app's backends from outside."""
    engine = sa.create_engine(
        app.config["SQLALCHEMY_DATABASE_URI"], connect_args={"application_name": "inventory-tests-admin"}
    )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
    engine.dispose()


def _terminate(admin, pid: int | None = None) -> int:
    """End one backend (or every one of the app's on this database) and wait until it has gone."""
    which = "pid = :pid" if pid else "application_name = 'inventory' AND datname = current_database()"
    pids = admin.execute(
        sa.text(f"SELECT pid FROM pg_stat_activity WHERE {which} AND pid <> pg_backend_pid()"), {"pid": pid}
    ).scalars()
    pids = list(pids)
    for each in pids:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": each})
    deadline = time.monotonic() + 5
    while pids and time.monotonic() < deadline:
        left = admin.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:p)"), {"p": pids})
        if left.scalar() == 0:
            break
        time.sleep(0.02)
    return len(pids)


def _kill_on(admin, event_name: str, after: int = 0):
    """Listen on the app's engine: at the `after`-th statement (or at commit/rollback) of the next
    request, end that very connection's backend from the admin connection. Returns the remover."""
    seen = {"n": 0, "done": False}

    def kill(conn, *args):
        if seen["done"]:
            return
        seen["n"] += 1
        if seen["n"] > after:
            seen["done"] = True
            _terminate(admin, conn.connection.dbapi_connection.info.backend_pid)

    event.listen(db.engine, event_name, kill)
    return lambda: event.remove(db.engine, event_name, kill)


@on_postgresql
def test_the_app_names_its_connections(client, admin, world):
    assert client.get("/api/v1/stock", headers=world.headers["warehouse"]).status_code == 200
    names = admin.execute(
        sa.text("SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database()")
    ).scalars()
    assert "inventory" in set(names)


@on_postgresql
def test_a_connection_killed_in_the_middle_of_a_request_answers_503_then_the_next_request_works(
    client, admin, world, make_asset
):
    tag = make_asset().tag
    headers = world.headers["warehouse"]
    assert client.get(f"/api/v1/assets/{tag}", headers=headers).status_code == 200
    stop = _kill_on(admin, "before_cursor_execute", after=1)  # after the token's look-up, before the asset's
    try:
        r = client.get(f"/api/v1/assets/{tag}/history", headers=headers)
    finally:
        stop()
    assert r.status_code == 503, r.text
    assert r.json == DOWN and r.headers["Retry-After"] == "5"
    after = client.get(f"/api/v1/assets/{tag}", headers=headers)
    assert after.status_code == 200 and after.json["tag"] == tag


@on_postgresql
def test_a_connection_killed_just_before_commit_answers_503_and_stored_nothing(client, admin, world, make_asset):
    tag = make_asset().tag
    headers = world.headers["warehouse"]
    stop = _kill_on(admin, "commit")
    try:
        r = client.post(f"/api/v1/assets/{tag}/move", headers=headers, json={"location": "BUS-1"})
    finally:
        stop()
    assert r.status_code == 503, r.text
    assert r.json == DOWN and r.headers["Retry-After"] == "5"
    after = client.get(f"/api/v1/assets/{tag}", headers=headers)
    assert after.status_code == 200 and after.json["location"] == "WH-MAIN"  # the move was not stored


@on_postgresql
def test_a_refused_request_whose_connection_died_before_its_rollback_keeps_its_answer(client, admin, world):
    headers = world.headers["warehouse"]
    stop = _kill_on(admin, "rollback")
    try:
        r = client.get("/api/v1/assets/ZZZZZZZ", headers=headers)
    finally:
        stop()
    assert r.status_code in (404, 422)  # what it would have said: the rollback had nothing to undo
    assert client.get("/api/v1/stock", headers=headers).status_code == 200


@on_postgresql
def test_a_page_whose_connection_dies_answers_a_page_not_a_bare_500(client, admin, world):
    from tests.web.conftest import sign_in

    sign_in(client, "warehouse@test.example")
    stop = _kill_on(admin, "before_cursor_execute", after=0)
    try:
        r = client.get("/stock", headers={"Accept": "text/html"})
    finally:
        stop()
    assert r.status_code == 503 and r.mimetype == "text/html" and r.headers["Retry-After"] == "5"
    assert client.get("/stock", headers={"Accept": "text/html"}).status_code == 200


@on_postgresql
def test_every_connection_killed_between_requests_is_replaced_without_a_single_error(client, admin, world):
    headers = world.headers["warehouse"]
    assert client.get("/api/v1/stock", headers=headers).status_code == 200
    assert _terminate(admin) >= 1
    assert client.get("/api/v1/stock", headers=headers).status_code == 200  # pre-ping found the dead one


@on_postgresql
def test_kills_under_concurrent_load_give_only_503s_with_retry_after_never_a_500(live_server, admin, world):
    import requests

    headers = world.headers["warehouse"]
    statuses: list[tuple[int, str, str | None]] = []
    stop_at = time.monotonic() + 3

    def load():
        with requests.Session() as http:
            while time.monotonic() < stop_at:
                r = http.get(f"{live_server}/api/v1/stock", headers=headers, timeout=10)
                statuses.append((r.status_code, r.headers.get("Content-Type", ""), r.headers.get("Retry-After")))

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(load) for _ in range(4)]
        killed = 0
        while time.monotonic() < stop_at - 0.5:
            time.sleep(0.3)
            killed += _terminate(admin)
        for each in running:
            each.result()
    assert killed >= 1
    assert {s for s, _, _ in statuses} <= {200, 503}
    assert all(ct == "application/json" and ra == "5" for s, ct, ra in statuses if s == 503)
    assert sum(1 for s, _, _ in statuses if s == 200) > 10
    r = requests.get(f"{live_server}/api/v1/stock", headers=headers, timeout=10)
    assert r.status_code == 200
