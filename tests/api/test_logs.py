"""The logs as an operator's log shipper reads them: one JSON object a line, an access line per request
with its request id (also sent back as X-Request-Id), and never anyone's details."""

from __future__ import annotations

import io
import json
import logging

import pytest

from inventory import create_app, logging_setup
from inventory.config import ConfigError


@pytest.fixture
def log_lines():
    """Every log line written while the test runs, as the production handler formats it (JSON)."""
    stream = io.StringIO()
    handler = logging_setup.configure("json", stream=stream, force=True)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_each_request_writes_one_json_access_line_with_its_request_id(client, world, make_asset, log_lines):
    tag = make_asset().tag
    r = client.get(f"/api/v1/assets/{tag}", headers={**world.headers["warehouse"], "X-Request-Id": "lb-7f3a.91"})
    assert r.status_code == 200 and r.headers["X-Request-Id"] == "lb-7f3a.91"
    (line,) = [line for line in log_lines() if line["logger"] == "inventory.access"]
    assert line.keys() >= {"timestamp", "level", "logger", "message", "request_id", "method", "endpoint", "status"}
    assert line["request_id"] == "lb-7f3a.91"
    assert (line["level"], line["method"], line["endpoint"], line["status"]) == ("INFO", "GET", "assets.get_asset", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["timestamp"].endswith("+00:00")
    assert line["message"].startswith("GET assets.get_asset 200 ")


@pytest.mark.parametrize("given", ["", "has spaces", "x" * 200, "<script>", "a\tb"])
def test_a_request_id_that_is_not_a_sane_token_is_replaced_by_a_new_one(client, given, log_lines):
    r = client.get("/api/v1/health", headers={"X-Request-Id": given} if given else {})
    generated = r.headers["X-Request-Id"]
    assert generated != given and len(generated) == 32 and int(generated, 16) >= 0
    assert [line["request_id"] for line in log_lines() if line["logger"] == "inventory.access"] == [generated]


def test_every_answer_carries_a_request_id(client):
    for path in ("/api/v1/health", "/no/such/page", "/sign-in", "/api/v1/assets"):
        assert client.get(path).headers.get("X-Request-Id")


def test_other_lines_of_a_request_carry_its_request_id(tmp_path, log_lines):
    # Not TESTING: as in production, where the traceback (which quotes the exception's text) is not logged.
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3"})

    @app.route("/api/v1/_boom")
    def boom():
        raise RuntimeError("secret text from the request: ada@example.org")

    r = app.test_client().get("/api/v1/_boom", headers={"X-Request-Id": "req-1"})
    assert r.status_code == 500
    error = next(line for line in log_lines() if line["logger"] == "inventory.errors")
    assert error["level"] == "ERROR" and error["request_id"] == "req-1"
    assert "ada@example.org" not in json.dumps(log_lines())  # the exception's type is logged, not its text


def test_no_personal_data_reaches_the_logs(client, world, log_lines):
    body = {
        "reference": "R-9",
        "name": "Zebedee Quist",
        "phone": "07700 900456",
        "email": "zebedee@example.org",
        "area": "Halton",
        "referral_source": "other",
        "programme": "DII",
    }
    headers = world.headers["advocate"]
    r = client.post("/api/v1/participants", json=body, headers=headers)
    assert r.status_code == 201
    client.get(f"/api/v1/participants/{r.json['id']}", headers=headers)
    client.get("/api/v1/participants?search=Zebedee&email=zebedee@example.org", headers=headers)
    text = json.dumps(log_lines())
    for personal in ("Zebedee", "Quist", "zebedee@example.org", "07700", "900456", "search="):
        assert personal not in text
    endpoints = [line["endpoint"] for line in log_lines() if line["logger"] == "inventory.access"]
    assert endpoints == [
        "participants.create_participant",
        "participants.get_participant",
        "participants.list_participants",
    ]


def test_plain_text_for_people_at_a_terminal():
    stream = io.StringIO()
    handler = logging_setup.configure("text", stream=stream, force=True)
    try:
        logging.getLogger("inventory.test").info("hello %s", "there", extra={"request_id": "abc"})
        logging.getLogger("inventory.test").info("no request")
    finally:
        logging.getLogger().removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert first.endswith(" INFO inventory.test [abc]: hello there")
    assert second.endswith(" INFO inventory.test: no request")


def test_json_in_production_by_default_text_in_development_and_log_format_decides():
    assert logging_setup.default_format({"INVENTORY_ENV": "production"}) == "json"
    assert logging_setup.default_format({}) == "text"
    assert logging_setup.default_format({"INVENTORY_ENV": "production", "LOG_FORMAT": "text"}) == "text"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        create_app({"TESTING": True, "LOG_FORMAT": "xml"})
