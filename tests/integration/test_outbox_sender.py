"""The sender against a stand-in for GOV.UK Notify on 127.0.0.1 that fails in every way Notify can:
nothing is lost, nothing is accepted twice, and every failure ends in the right state."""

import base64
import binascii
import json
import re
import threading
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Notification, NotificationStatus
from inventory.notifiers.govuk_notify import GovukNotifyNotifier
from inventory.services import outbox, privacy, reminders
from tests.conftest import at_once

START = date(2026, 8, 31)
SWEEP_DAY = date(2027, 1, 29)  # 30 days before those plans end
API_KEY = f"test-{uuid.uuid4()}-{uuid.uuid4()}"
TEMPLATES = {
    f"{kind}_{channel}": str(uuid.uuid4())
    for kind in ("plan_ending", "plan_ended", "advocate_digest", "assessment_due", "handover", "certificate")
    for channel in ("sms", "email")
}


def file_errors(body: dict) -> list[str]:
    """What GOV.UK Notify refuses (400 BadRequestError) in a file sent by email: a file in an SMS, a file
    that is not base64, larger than 2 MB or not a kind it accepts, and bad download settings."""
    errors = []
    for name, value in (body.get("personalisation") or {}).items():
        if not isinstance(value, dict) or "file" not in value:
            continue
        if "email_address" not in body:
            errors.append(f"{name}: files can only be sent by email")
            continue
        try:
            data = base64.b64decode(value["file"], validate=True)
        except (binascii.Error, ValueError, TypeError):
            errors.append(f"{name}: file is not encoded in base64")
            continue
        if len(data) > 2 * 1024 * 1024:
            errors.append(f"{name}: file is larger than 2MB")
        if not data.startswith(b"%PDF-") and value.get("is_csv") is not True:
            errors.append(f"{name}: unsupported file type")  # we only ever send PDFs
        if not isinstance(value.get("is_csv", False), bool):
            errors.append(f"{name}: is_csv must be a boolean")
        if not isinstance(value.get("confirm_email_before_download", True), bool):
            errors.append(f"{name}: confirm_email_before_download must be a boolean")
        retention = value.get("retention_period")
        match = re.fullmatch(r"(\d+) weeks?", retention or "") if retention is not None else True
        if not match or (match is not True and not 1 <= int(match.group(1)) <= 78):
            errors.append(f"{name}: Unsupported value for retention_period '{retention}'")
        filename = value.get("filename")
        if filename is not None and "." not in filename:
            errors.append(f"{name}: filename must end with a file extension")
    return errors


class FakeNotify:
    """Answers each POST by a script chosen by the recipient: e.g. ["500", "ok"] fails once, then accepts.
    "drop" accepts the message and then drops the connection without answering. Files sent by email are
    checked as Notify checks them (file_errors)."""

    def __init__(self):
        self.scripts: dict[str, list[str]] = {}
        self.calls = defaultdict(int)  # recipient -> POSTs seen
        self.accepted: dict[str, dict] = {}  # reference -> the notification Notify holds
        self.bodies: list[dict] = []
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
                to = body.get("phone_number") or body.get("email_address")
                fake.calls[to] += 1
                refused = file_errors(body)
                if refused:
                    errors = [{"error": "BadRequestError", "message": m} for m in refused]
                    return self._json(400, {"status_code": 400, "errors": errors})
                step = (fake.scripts.get(to) or ["ok"]).pop(0) if fake.scripts.get(to) else "ok"
                if step in ("ok", "drop"):
                    if body["reference"] in fake.accepted:
                        raise AssertionError(f"{body['reference']} sent twice")
                    fake.accepted[body["reference"]] = {"id": str(uuid.uuid4()), "reference": body["reference"]}
                    fake.bodies.append(body)
                    if step == "drop":
                        self.close_connection = True
                        self.connection.close()
                        return
                    return self._json(201, {"id": fake.accepted[body["reference"]]["id"]})
                status = int(step)
                self._json(status, {"status_code": status, "errors": [{"error": "Scripted", "message": step}]})

            def do_GET(self):  # noqa: N802
                reference = parse_qs(urlsplit(self.path).query).get("reference", [""])[0]
                found = [fake.accepted[reference]] if reference in fake.accepted else []
                self._json(200, {"notifications": found, "links": {}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def notify():
    with FakeNotify() as fake:
        yield fake


@pytest.fixture
def notifier(notify):
    return GovukNotifyNotifier(api_key=API_KEY, base_url=notify.url, templates=TEMPLATES, timeout=5)


def people_with_plans(make_participant, make_asset, issue, phones):
    made = {}
    for phone in phones:
        person = make_participant(phone=phone, email=None)
        issue(person, make_asset("sim").tag, issued_on=START, today=START)
        made[phone] = person
    with unit_of_work():
        reminders.sweep(SWEEP_DAY)
    return made


def send_until_done(notifier, rounds=12, max_attempts=3):
    now = datetime(2027, 1, 29, 9, 0, tzinfo=UTC)
    for _ in range(rounds):
        outbox.send_due(notifier, now=now, max_attempts=max_attempts, next_steps="Ask about a social tariff.")
        now += timedelta(hours=7)  # past any back-off


def by_phone(people):
    out = {}
    for phone, person in people.items():
        out[phone] = db.session.scalars(sa.select(Notification).where(Notification.participant_id == person.id)).one()
    return out


def test_every_failure_ends_in_the_right_state_and_nothing_is_sent_twice(
    notify, notifier, make_participant, make_asset, issue
):
    scripts = {
        "+447700900001": ["ok"],
        "+447700900002": ["500", "ok"],
        "+447700900003": ["429", "503", "ok"],
        "+447700900004": ["400"],
        "+447700900005": ["403"],
        "+447700900006": ["drop"],
        "+447700900007": ["500", "500", "500", "500"],
    }
    people = people_with_plans(make_participant, make_asset, issue, [f"0{p[3:]}" for p in scripts])
    notify.scripts = {k: list(v) for k, v in scripts.items()}
    send_until_done(notifier)
    db.session.expire_all()
    rows = {f"+44{phone[1:]}": row for phone, row in by_phone(people).items()}

    def state(phone):
        row = rows[phone]
        return row.status.value, row.attempts

    assert state("+447700900001") == ("sent", 1)
    assert state("+447700900002") == ("sent", 2)
    assert state("+447700900003") == ("sent", 3)
    assert state("+447700900004") == ("failed", 1) and rows["+447700900004"].last_error.startswith("400")
    assert state("+447700900005") == ("failed", 1)
    # The dropped connection: Notify had it; the sender asked, found it, and did not send again.
    assert state("+447700900006") == ("sent", 2) and notify.calls["+447700900006"] == 1
    assert rows["+447700900006"].provider_id == notify.accepted[rows["+447700900006"].reference]["id"]
    assert state("+447700900007") == ("failed", 3)
    assert "gave up after 3 attempts" in rows["+447700900007"].last_error
    assert notify.calls["+447700900004"] == 1 and notify.calls["+447700900007"] == 3
    # Each accepted message reached Notify exactly once (FakeNotify raises on a second).
    assert len(notify.accepted) == 4 + 1  # four participants' reminders plus the advocate's digest
    sms = next(b for b in notify.bodies if b.get("phone_number") == "+447700900001")
    assert sms["template_id"] == TEMPLATES["plan_ending_sms"]
    assert sms["personalisation"] == {
        "programme": "Digital Inclusion Initiative",
        "end_date": "28 February 2027",
        "days_left": "30",
    }


def test_contact_details_are_read_when_sending(world, notify, notifier, make_participant, make_asset, issue):
    people = people_with_plans(make_participant, make_asset, issue, ["07700900011"])
    with unit_of_work():
        privacy.erase(people["07700900011"].id, world.admin)
    send_until_done(notifier, rounds=1)
    row = by_phone(people)["07700900011"]
    assert row.status == NotificationStatus.FAILED and "erased" in row.last_error
    assert notify.calls["+447700900011"] == 0


def test_two_senders_at_once_send_each_row_once(app, notify, notifier, make_participant, make_asset, issue):
    people_with_plans(make_participant, make_asset, issue, [f"077009001{n:02d}" for n in range(12)])
    send = lambda: outbox.send_due(
        notifier,
        now=datetime(2027, 1, 29, 9, tzinfo=UTC),  # noqa: E731
        max_attempts=3,
        next_steps="x",
    )
    at_once([send] * 3, app)
    db.session.rollback()
    statuses = db.session.scalars(sa.select(Notification.status)).all()
    assert statuses == [NotificationStatus.SENT] * 13
    assert len(notify.accepted) == 13 and max(notify.calls.values()) == 1


def test_a_sender_that_died_mid_send_is_recovered_without_a_duplicate(
    notify, notifier, make_participant, make_asset, issue
):
    people = people_with_plans(make_participant, make_asset, issue, ["07700900021"])
    claimed_at = datetime(2027, 1, 29, 9, tzinfo=UTC)
    outbox.claim(claimed_at, 100)  # claimed, then the process was killed before it recorded anything
    row = by_phone(people)["07700900021"]
    notifier.send(
        __import__("inventory.services.messages", fromlist=["build"]).build(row, next_steps="x", today=SWEEP_DAY)
    )  # ... but the message had gone out
    outbox.send_due(notifier, now=claimed_at + timedelta(minutes=11), max_attempts=3, next_steps="x")
    db.session.expire_all()
    row = by_phone(people)["07700900021"]
    assert row.status == NotificationStatus.SENT and notify.calls["+447700900021"] == 1


def test_a_reminder_held_up_by_retries_is_not_sent_after_a_later_one(
    notify, notifier, make_participant, make_asset, issue
):
    people = people_with_plans(make_participant, make_asset, issue, ["07700900031"])  # the 30-day reminder
    notify.scripts = {"+447700900031": ["429"]}
    first = datetime(2027, 1, 29, 9, tzinfo=UTC)
    outbox.send_due(notifier, now=first, max_attempts=3, next_steps="x")
    with unit_of_work():
        reminders.sweep(date(2027, 2, 21))  # the 7-day reminder, which goes out at once
    outbox.send_due(notifier, now=datetime(2027, 2, 21, 9, tzinfo=UTC), max_attempts=3, next_steps="x")
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.participant_id == people["07700900031"].id)
        .order_by(Notification.days_before)
    ).all()
    assert [(r.days_before, r.status.value) for r in rows] == [(7, "sent"), (30, "failed")]
    assert "later reminder" in rows[1].last_error
    assert [b["personalisation"]["end_date"] for b in notify.bodies if b.get("phone_number")] == ["28 February 2027"]
