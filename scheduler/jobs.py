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
from inventory.services import access_log, outbox, privacy, reminders


@dataclass(frozen=True)
class Job:
    name: str
    trigger: str  # an APScheduler trigger: "interval" or "cron"
    schedule: dict  # its arguments
    run: Callable[[threading.Event], dict]


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


def remind_assessments(stop: threading.Event) -> dict:
    return {"queued": reminders.queue_assessment_reminders(today(), current_app.config["ASSESSMENT_REMINDER_WEEKS"])}


def run_retention(stop: threading.Event) -> dict:
    erased = privacy.anonymise_expired(today(), current_app.config["RETENTION_MONTHS"])
    access_log.record(None, AccessAction.ERASED, erased, "retention erasure", AccessChannel.SCHEDULER)
    return {"erased": len(erased)}


JOBS = [
    Job("sweep reminders", "interval", {"hours": 1}, sweep_reminders),
    Job("send reminders", "interval", {"minutes": 1}, send_reminders),
    Job("remind advocates of assessments", "cron", {"hour": 8, "minute": 15}, remind_assessments),
    Job("retention", "cron", {"hour": 2, "minute": 30}, run_retention),
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
