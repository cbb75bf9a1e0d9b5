"""Logging for the web app, the command line and the scheduler, set up in this one place: one JSON object
a line (LOG_FORMAT=json, production's default) or plain text (development's), each line of a request
with its request id, and one access line per request (method, Flask endpoint, status, duration).

Never personal data: no query strings, no bodies, no paths (a mistyped address can hold anything), no
exception text (errors.py logs an exception's type); the log notifier masks recipients itself."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request, request_finished, request_started
from pythonjsonlogger.json import JsonFormatter

FORMATS = ("json", "text")
# An incoming X-Request-Id is kept when it looks like an id (a proxy's or a load balancer's): letters,
# digits and ._:- only, so it can never smuggle text (or a new line) into the logs.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
access_log = logging.getLogger("inventory.access")


def default_format(env=os.environ) -> str:
    return env.get("LOG_FORMAT") or ("json" if env.get("INVENTORY_ENV") == "production" else "text")


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class _Text(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_part)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.request_part = f" [{rid}]" if rid else ""
        return super().format(record)


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,  # "timestamp": ISO 8601 in UTC
        )
    return _Text()


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (a test runner may swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure(log_format: str | None = None, *, stream=None, force: bool = False) -> logging.Handler | None:
    """Send every log line to stderr (or `stream`) in `log_format`. Calling it again replaces its own
    handler; when something else has already set up logging (a test runner, a server's own logging
    configuration) it leaves that alone unless forced."""
    log_format = log_format or default_format()
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "inventory", False)]
    if len(ours) < len(root.handlers) and not force:
        return None
    for handler in ours:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.inventory = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(log_format))
    handler.addFilter(_RequestId())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # The development server's own request lines quote the query string; in JSON (production) our
    # access line says what is needed.
    logging.getLogger("werkzeug").setLevel(logging.WARNING if log_format == "json" else logging.NOTSET)
    return handler


def _started(sender, **extra) -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finished(sender, response, **extra) -> None:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-Id"] = request_id
    duration_ms = round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1)
    endpoint = request.endpoint or "unmatched"
    access_log.info(
        "%s %s %s %.1f ms",
        request.method,
        endpoint,
        response.status_code,
        duration_ms,
        extra={
            "request_id": request_id,
            "method": request.method,
            "endpoint": endpoint,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"])
    request_started.connect(_started, app, weak=False)
    request_finished.connect(_finished, app, weak=False)
