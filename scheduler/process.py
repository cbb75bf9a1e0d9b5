"""The scheduler process (`inventory scheduler`): APScheduler in a process of its own, never inside
web workers, where each worker would run every job again. Stops cleanly on SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from .jobs import JOBS, in_context

log = logging.getLogger("inventory.scheduler")


def build(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone="Europe/London", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    now = datetime.now(ZoneInfo("Europe/London"))
    for job in JOBS:
        # Interval jobs also run as soon as the process starts: after downtime, catch up at once.
        first = {"next_run_time": now} if job.trigger == "interval" else {}
        scheduler.add_job(
            _logged(job.name, in_context(app, job), app),
            job.trigger,
            id=job.name,
            name=job.name,
            **job.schedule,
            **first,
        )
    return scheduler


def _logged(name, run, app=None):
    def wrapper():
        started = time.monotonic()
        try:
            counts = run()
        except Exception as error:
            _record_run(app, name, f"failed: {type(error).__name__}")
            raise
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        _record_run(app, name, summary)
        log.info("job %s: %s (%.2f s)", name, summary, time.monotonic() - started)
        return counts

    return wrapper


def _record_run(app, name: str, result: str) -> None:
    """The heartbeat and this job's last run, for health and metrics; never a reason to fail the job."""
    from inventory.clock import now
    from inventory.extensions import db, unit_of_work
    from inventory.services import scheduler_status

    if app is None:
        return
    with app.app_context():
        try:
            with unit_of_work():
                at = now()
                scheduler_status.beat(at)
                scheduler_status.record_run(name, at, result)
        except Exception as error:  # noqa: BLE001
            log.warning("could not record job %s: %s", name, type(error).__name__)
        finally:
            db.session.remove()


def run_forever(app: Flask) -> None:
    scheduler = build(app)

    def stop(signum, frame):
        log.info("stopping on %s", signal.Signals(signum).name)
        if not scheduler.running:
            raise SystemExit(0)  # stopped before it began: nothing is running
        # Not from inside the handler: it may have interrupted the scheduler's own loop. Another
        # thread lets a running job finish (nothing is cut off mid-send), then the loop ends.
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.add_listener(
        lambda e: log.error("job %s failed: %s", e.job_id, type(e.exception).__name__), EVENT_JOB_ERROR
    )
    scheduler.add_listener(lambda e: log.info("scheduler started with %d jobs", len(JOBS)), EVENT_SCHEDULER_STARTED)
    scheduler.start()
    log.info("scheduler stopped")
