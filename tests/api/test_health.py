"""GET /api/v1/health as an operator's monitor reads it: the database, the scheduler's heartbeat and
each job's last run, and the outbox's backlog; no token, and nothing about anyone."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import sqlalchemy as sa

from inventory.clock import now
from inventory.extensions import db, unit_of_work
from inventory.models import Notification, NotificationKind, NotificationStatus
from inventory.services import scheduler_status
from scheduler.jobs import JOBS, in_context
from scheduler.process import _logged


def _beat(at=None):
    with unit_of_work():
        scheduler_status.beat(at or now())


def _queue(minutes_ago: int, status=NotificationStatus.QUEUED, **fields) -> None:
    with unit_of_work():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) or 0
        db.session.add(
            Notification(
                key=f"test:{n}",
                kind=NotificationKind.ADVOCATE_DIGEST,
                channel="email",
                status=status,
                due_on=date(2026, 11, 22),
                created_at=now() - timedelta(minutes=minutes_ago),
                **fields,
            )
        )


def test_a_fresh_service_is_degraded_until_the_scheduler_has_been_seen(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json == {
        "status": "degraded",
        "database": "ok",
        "scheduler": {"last_seen": None, "jobs": {}},
        "outbox": {"queued": 0, "oldest_queued_minutes": None, "failed_24h": 0},
        "problems": ["the scheduler has never been seen"],
    }


def test_health_is_ok_with_the_scheduler_seen_and_the_outbox_moving(client):
    _beat()
    _queue(3)
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json["status"] == "ok" and r.json["problems"] == []
    assert r.json["outbox"] == {"queued": 1, "oldest_queued_minutes": 3, "failed_24h": 0}
    assert r.json["scheduler"]["last_seen"].startswith("2026-11-22T12:")


def test_a_scheduler_silent_for_five_minutes_makes_health_degraded(client, app):
    _beat()
    app.config["CLOCK"].advance(timedelta(minutes=4))
    assert client.get("/api/v1/health").json["status"] == "ok"
    app.config["CLOCK"].advance(timedelta(minutes=2))
    r = client.get("/api/v1/health")
    assert r.status_code == 200  # the database answers: degraded, not down
    assert r.json["status"] == "degraded"
    assert r.json["problems"] == ["the scheduler has not been seen for 6 minutes"]


def test_a_message_waiting_over_an_hour_makes_health_degraded(client):
    _beat()
    _queue(61)
    _queue(5, status=NotificationStatus.SENDING)
    r = client.get("/api/v1/health")
    assert r.json["status"] == "degraded"
    assert r.json["outbox"]["queued"] == 2 and r.json["outbox"]["oldest_queued_minutes"] == 61
    assert r.json["problems"] == ["a message has waited 61 minutes to be sent"]


def test_failures_of_the_last_24_hours_are_counted(client):
    _beat()
    _queue(60 * 30, status=NotificationStatus.FAILED, claimed_at=now() - timedelta(hours=2))
    _queue(60 * 30, status=NotificationStatus.FAILED, claimed_at=now() - timedelta(hours=25))
    _queue(60 * 30, status=NotificationStatus.SENT)
    outbox = client.get("/api/v1/health").json["outbox"]
    assert outbox == {"queued": 0, "oldest_queued_minutes": None, "failed_24h": 1}


def test_each_job_run_by_the_scheduler_shows_with_its_result(client, app):
    send = next(job for job in JOBS if job.name == "send reminders")
    _logged(app, send.name, in_context(app, send, threading.Event()))()

    def broken():
        raise RuntimeError("nope")

    try:
        _logged(app, "retention", broken)()
    except RuntimeError:
        pass
    _beat()  # the heartbeat is a job of its own, every 30 s
    r = client.get("/api/v1/health")
    assert r.json["status"] == "ok"
    jobs = r.json["scheduler"]["jobs"]
    assert jobs["send reminders"]["last_result"] == "sent 0, retrying 0, failed 0, lost 0, handed_back 0"
    assert jobs["send reminders"]["last_run"].startswith("2026-11-22T12:")
    assert jobs["retention"]["last_result"] == "failed: RuntimeError"
    assert r.json["scheduler"]["last_seen"] is not None


def test_health_holds_no_personal_data(client, world, make_participant):
    _beat()
    person = make_participant(name="Ada Lovelace", email="ada@example.org")
    _queue(2, participant_id=person.id)
    text = client.get("/api/v1/health").get_data(as_text=True)
    assert "Ada" not in text and "ada@example.org" not in text and "07700" not in text


def test_health_answers_503_when_the_database_does_not(tmp_path):
    from inventory import create_app

    broken = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    r = broken.test_client().get("/api/v1/health")
    assert r.status_code == 503
    assert r.json == {
        "status": "unavailable",
        "database": "unreachable",
        "scheduler": None,
        "outbox": None,
        "problems": ["the database does not answer"],
    }
