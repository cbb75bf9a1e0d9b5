"""GET /metrics in Prometheus' text format, for a scraper holding METRICS_TOKEN: requests by Flask
endpoint (never the raw path: paths hold tags and ids), their durations, the outbox by status and the
scheduler's jobs, the last two counted from the database at scrape time.

Under gunicorn each worker counts its own requests. With PROMETHEUS_MULTIPROC_DIR set (an empty
directory the workers can write, emptied before the server starts) prometheus-client keeps the counts
in files there and a scrape of any worker adds up every worker's; without it a scrape sees only the
worker that answered it."""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request, request_finished, request_started
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from .errors import Unauthorised, is_database_down

bp = Blueprint("metrics", __name__)
_EXTENSION = "inventory.metrics"


class _RequestMetrics:
    def __init__(self) -> None:
        # The app's own registry, so that each app (the tests build several) counts on its own.
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "inventory_http_requests",
            "Requests answered, by Flask endpoint, method and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "inventory_http_request_duration_seconds",
            "Time to answer a request, by Flask endpoint and method",
            ["endpoint", "method"],
            registry=self.registry,
        )


def _started(sender, **extra) -> None:
    g.metrics_started = time.perf_counter()


def _finished(sender, response, **extra) -> None:
    metrics: _RequestMetrics = sender.extensions[_EXTENSION]
    endpoint = request.endpoint or "unmatched"  # an address no route has: its path is not a label
    metrics.requests.labels(endpoint, request.method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        metrics.duration.labels(endpoint, request.method).observe(time.perf_counter() - started)


class _StoredCollector:
    """What the database says at scrape time: the outbox by status, the scheduler's heartbeat, each job's
    last run. A scrape while the database is down still answers, with inventory_database_up 0."""

    def collect(self):
        from .clock import now
        from .extensions import rollback_quietly
        from .services import health, scheduler_status

        up = GaugeMetricFamily("inventory_database_up", "1 when the database answered this scrape")
        try:
            by_status = health.outbox_by_status()
            backlog = health.outbox_backlog(now())
            status = scheduler_status.read()
            rollback_quietly()
        except Exception as error:
            if not is_database_down(error):
                raise
            rollback_quietly()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        outbox = GaugeMetricFamily("inventory_outbox_messages", "Messages in the outbox, by status", labels=["status"])
        for name, count in by_status.items():
            outbox.add_metric([name], count)
        yield outbox
        oldest = GaugeMetricFamily(
            "inventory_outbox_oldest_queued_seconds", "How long the oldest message not yet sent has waited"
        )
        oldest.add_metric([], (backlog.oldest_queued_minutes or 0) * 60)
        yield oldest
        failed = GaugeMetricFamily("inventory_outbox_failed_24h", "Messages that failed for good in the last 24 hours")
        failed.add_metric([], backlog.failed_24h)
        yield failed
        if status.last_seen is not None:
            seen = GaugeMetricFamily("inventory_scheduler_last_seen_timestamp_seconds", "The scheduler's heartbeat")
            seen.add_metric([], status.last_seen.timestamp())
            yield seen
        last_run = GaugeMetricFamily(
            "inventory_job_last_run_timestamp_seconds", "When each scheduled job last finished", labels=["job"]
        )
        succeeded = GaugeMetricFamily(
            "inventory_job_last_run_succeeded", "1 when the job's last run succeeded, 0 when it failed", labels=["job"]
        )
        for name, run in status.jobs.items():
            if run.last_run is not None:
                last_run.add_metric([name], run.last_run.timestamp())
            succeeded.add_metric([name], 0 if (run.last_result or "").startswith("failed") else 1)
        yield last_run
        yield succeeded


def exposition(app: Flask) -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every worker's counts, from their files
    else:
        registry.register(app.extensions[_EXTENSION].registry)
    registry.register(_StoredCollector())
    return generate_latest(registry)


@bp.route("/metrics")
def metrics():
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)  # not turned on: as if there were nothing here
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Unauthorised("Send the scraper's token: Authorization: Bearer METRICS_TOKEN")
    return Response(exposition(current_app._get_current_object()), content_type=CONTENT_TYPE_LATEST)  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = _RequestMetrics()
    request_started.connect(_started, app, weak=False)
    request_finished.connect(_finished, app, weak=False)
    app.register_blueprint(bp)
