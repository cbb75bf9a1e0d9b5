"""Every scheduled job, in one list: what runs, how often, and the service it calls.

Each job is a thin wrapper: it opens an app context, calls one service with today's date, and
returns counts for the log line. Running any of them twice changes nothing the second time. Each is
given the process's stop flag; the sender, the one job that can run long, stops between messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from inventory import clock
from inventory.clock import today
from inventory.models import AccessAction, AccessChannel
from inventory.notifiers import from_config
from inventory.services import (
    access_log,
    background_jobs,
    idempotency,
    notifications,
    outbox,
    privacy,
    reminders,
    scheduler_status,
)


@dataclass(frozen=True)
class Job:
    name: str
    trigger: str  # an APScheduler trigger: "interval" or "cron"
    schedule: dict  # its arguments
    run: Callable[[threading.Event], dict]
    # Runs so often that a run which did nothing is neither logged nor recorded (the heartbeat shows it alive).
    quiet: bool = False


def sweep_reminders(stop: threading.Event) -> dict:
    return reminders.sweep(today())


def send_reminders(stop: threading.Event) -> dict:
    config = current_app.config
    return outbox.send_due(
        from_config(config),
        now=clock.now,
        max_attempts=config["REMINDER_MAX_ATTEMPTS"],
        next_steps=config["NEXT_STEPS"],
        stop=stop,
    ).as_dict()


ASSESSMENTS, RETENTION = "remind advocates of assessments", "retention"


def _days_since_last_good_run(name: str) -> int | None:
    """How far back a daily job must look to cover everything since it last ran well (a day's margin),
    so it reads only what changed meanwhile; None on its first run or after a failure: everything."""
    run = scheduler_status.read().jobs.get(name)
    if run is None or run.last_run is None or (run.last_result or "").startswith("failed"):
        return None
    return max(0, (today() - run.last_run.date()).days) + 1


def remind_assessments(stop: threading.Event) -> dict:
    weeks = current_app.config["ASSESSMENT_REMINDER_WEEKS"]
    back = _days_since_last_good_run(ASSESSMENTS)
    return {"queued": reminders.queue_assessment_reminders(today(), weeks, catch_up_days=back)}


def run_retention(stop: threading.Event) -> dict:
    back = _days_since_last_good_run(RETENTION)
    erased = privacy.anonymise_expired(today(), current_app.config["RETENTION_MONTHS"], catch_up_days=back)
    access_log.record(None, AccessAction.ERASED, erased, "retention erasure", AccessChannel.SCHEDULER)
    return {"erased": len(erased)}


def purge_sent_reminders(stop: threading.Event) -> dict:
    days = current_app.config["SENT_REMINDER_DAYS"]
    return {"deleted": notifications.purge_sent(now=clock.now(), today=today(), older_than_days=days)}


def run_background_jobs(stop: threading.Event) -> dict:
    """Big label sheets and exports people asked for, one at a time, until none is waiting."""
    return background_jobs.run_due(clock.now, stop=stop)


def purge_finished_jobs(stop: threading.Event) -> dict:
    days = current_app.config["JOB_RESULT_DAYS"]
    return {"deleted": background_jobs.purge(clock.now(), keep_days=days)}


def purge_idempotency_keys(stop: threading.Event) -> dict:
    days = current_app.config["IDEMPOTENCY_KEY_DAYS"]
    return {"deleted": idempotency.purge(clock.now(), keep_days=days)}


JOBS = [
    Job("sweep reminders", "interval", {"hours": 1}, sweep_reminders),
    Job("send reminders", "interval", {"minutes": 1}, send_reminders),
    Job(ASSESSMENTS, "cron", {"hour": 8, "minute": 15}, remind_assessments),
    Job(RETENTION, "cron", {"hour": 2, "minute": 30}, run_retention),
    Job("purge sent reminders", "cron", {"hour": 3, "minute": 15}, purge_sent_reminders),
    Job("purge finished jobs", "cron", {"hour": 3, "minute": 45}, purge_finished_jobs),
    Job("purge idempotency keys", "cron", {"hour": 4, "minute": 0}, purge_idempotency_keys),
    Job("run background jobs", "interval", {"seconds": 3}, run_background_jobs, quiet=True),
]


def in_context(app: Flask, job: Job, stop: threading.Event | None = None) -> Callable[[], dict]:
    flag = stop or threading.Event()

    def run() -> dict:
        from inventory.extensions import db, unit_of_work

        # Each run is one unit of work: committed when the job finishes, rolled back if it fails.
        with app.app_context():
            try:
                with unit_of_work():
                    return job.run(flag)
            finally:
                db.session.remove()

    return run
