"""GET /metrics as Prometheus scrapes it: only with METRICS_TOKEN, in the text format, requests by Flask
endpoint name (never a path), the outbox by status and the scheduler's jobs."""

from __future__ import annotations

from datetime import date

import pytest
from prometheus_client.parser import text_string_to_metric_families

from inventory.clock import now
from inventory.extensions import db, unit_of_work
from inventory.models import Notification, NotificationKind, NotificationStatus
from inventory.services import scheduler_status

TOKEN = "scrape-me-please-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metrics_on(app):
    app.config["METRICS_TOKEN"] = TOKEN
    yield
    app.config["METRICS_TOKEN"] = ""


def _samples(client) -> dict[tuple[str, frozenset], float]:
    r = client.get("/metrics", headers=SCRAPER)
    assert r.status_code == 200
    assert r.content_type.startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.get_data(as_text=True))
        for s in family.samples
    }


def test_metrics_are_not_there_without_a_token_configured(client):
    r = client.get("/metrics", headers=SCRAPER)
    assert r.status_code == 404


def test_metrics_need_the_scrapers_token(client, metrics_on):
    assert client.get("/metrics").status_code == 401
    r = client.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json["code"] == 401


def test_requests_are_counted_and_timed_by_endpoint_name_never_by_path(client, world, make_asset, metrics_on):
    tag = make_asset().tag
    headers = world.headers["warehouse"]
    before = _samples(client)
    key = (
        "inventory_http_requests_total",
        frozenset({"endpoint": "assets.get_asset", "method": "GET", "status": "200"}.items()),
    )
    for _ in range(3):
        assert client.get(f"/api/v1/assets/{tag}", headers=headers).status_code == 200
    client.get("/no/such/place/K7MX3QP")
    samples = _samples(client)
    assert samples[key] - before.get(key, 0) == 3
    count = (
        "inventory_http_request_duration_seconds_count",
        frozenset({"endpoint": "assets.get_asset", "method": "GET"}.items()),
    )
    assert samples[count] - before.get(count, 0) == 3
    unmatched = (
        "inventory_http_requests_total",
        frozenset({"endpoint": "unmatched", "method": "GET", "status": "404"}.items()),
    )
    assert samples[unmatched] >= 1
    labels = {value for (_, pairs) in samples for _, value in pairs}
    assert not any(tag in value or "/" in value for value in labels)


def test_the_outbox_is_counted_by_status_at_scrape_time(client, metrics_on):
    with unit_of_work():
        for n, status in enumerate(["queued", "queued", "sent", "failed"]):
            db.session.add(
                Notification(
                    key=f"m:{n}",
                    kind=NotificationKind.ADVOCATE_DIGEST,
                    channel="email",
                    status=NotificationStatus(status),
                    due_on=date(2026, 11, 22),
                )
            )
    samples = _samples(client)
    by_status = {
        dict(labels)["status"]: value
        for (name, labels), value in samples.items()
        if name == "inventory_outbox_messages"
    }
    assert by_status == {"queued": 2, "sending": 0, "sent": 1, "failed": 1}
    assert samples[("inventory_database_up", frozenset())] == 1


def test_job_runs_come_from_the_scheduler_status(client, metrics_on):
    with unit_of_work():
        at = now()
        scheduler_status.beat(at)
        scheduler_status.record_run("send reminders", at, "sent 2, retrying 0, failed 0")
        scheduler_status.record_run("retention", at, "failed: OperationalError")
    samples = _samples(client)
    assert samples[("inventory_scheduler_last_seen_timestamp_seconds", frozenset())] == pytest.approx(at.timestamp())
    ok = "inventory_job_last_run_succeeded"
    assert samples[(ok, frozenset({"job": "send reminders"}.items()))] == 1
    assert samples[(ok, frozenset({"job": "retention"}.items()))] == 0
    last = ("inventory_job_last_run_timestamp_seconds", frozenset({"job": "send reminders"}.items()))
    assert samples[last] == pytest.approx(at.timestamp())


_WORKER = """
import sys
from inventory import create_app
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "METRICS_TOKEN": "t"})
client = app.test_client()
for _ in range(int(sys.argv[2])):
    assert client.get("/api/v1/health").status_code in (200, 503)
if sys.argv[3] == "scrape":
    print(client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(as_text=True))
"""


@pytest.mark.slow
def test_with_a_multiprocess_directory_a_scrape_adds_up_every_workers_requests(database_url, tmp_path):
    """As under gunicorn: two worker processes answer requests, a scrape of one counts both."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def worker(requests: int, scrape: bool) -> str:
        argv = [sys.executable, "-c", _WORKER, database_url, str(requests), "scrape" if scrape else "-"]
        return subprocess.run(argv, env=env, capture_output=True, text=True, check=True, timeout=60).stdout

    worker(2, scrape=False)
    text = worker(1, scrape=True)
    counts = [
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "inventory_http_requests_total" and s.labels["endpoint"] == "health.health"
    ]
    assert sum(counts) == 3
    assert any(name.endswith(".db") for name in os.listdir(tmp_path))
