"""The scheduler process (`inventory scheduler`): APScheduler in a process of its own, never inside
web workers, where each worker would run every job again. However many are started, only the one
holding the lead (scheduler/leader.py) runs jobs; the others wait as standbys. It records a heartbeat
every 30 s and each job's last run (scheduler_status), and stops within seconds on SIGTERM: the
sender finishes the message in hand and hands back the rest of its batch."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from inventory import clock

from .jobs import JOBS, in_context
from .leader import STANDBY_RETRY_SECONDS, Leadership

log = logging.getLogger("inventory.scheduler")

HEARTBEAT_SECONDS = 30
# After SIGTERM, how long a running job may take to finish before the process leaves anyway (Docker
# kills at 10 s). Only a provider call in flight can take that long; its row is then left `sending`,
# and the next sender asks the provider about it before sending again.
STOP_GRACE_SECONDS = 4.5


def build(app: Flask, stop: threading.Event | None = None, leader: Leadership | None = None) -> BlockingScheduler:
    stop = stop or threading.Event()
    scheduler = BlockingScheduler(
        timezone="Europe/London", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    now = datetime.now(ZoneInfo("Europe/London"))
    for job in JOBS:
        # Interval jobs also run as soon as the process starts: after downtime, catch up at once.
        first = {"next_run_time": now} if job.trigger == "interval" else {}
        scheduler.add_job(
            _logged(app, job.name, in_context(app, job, stop), quiet=job.quiet),
            job.trigger,
            id=job.name,
            name=job.name,
            **job.schedule,
            **first,
        )
    scheduler.add_job(
        _heartbeat(app, scheduler, stop, leader),
        "interval",
        seconds=HEARTBEAT_SECONDS,
        id="heartbeat",
        name="heartbeat",
        next_run_time=now,
    )
    return scheduler


def _record(app: Flask, write) -> None:
    """Write the scheduler's status in a unit of work of its own; a failure is logged, never raised."""
    from inventory.extensions import db, unit_of_work

    with app.app_context():
        try:
            with unit_of_work():
                write(clock.now())
        except SQLAlchemyError as exc:
            log.warning("could not record the scheduler's status: %s", type(exc).__name__)
        finally:
            db.session.remove()


def _logged(app: Flask, name, run, quiet: bool = False):
    from inventory.services import scheduler_status

    def wrapper():
        started = time.monotonic()
        try:
            counts = run()
        except Exception as exc:
            failure = f"failed: {type(exc).__name__}"
            _record(app, lambda now: scheduler_status.record_run(name, now, failure))
            raise
        if quiet and not any(counts.values()):
            return counts
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        _record(app, lambda now: scheduler_status.record_run(name, now, summary))
        log.info("job %s: %s (%.2f s)", name, summary, time.monotonic() - started)
        return counts

    return wrapper


def _heartbeat(app: Flask, scheduler: BlockingScheduler, stop: threading.Event, leader: Leadership | None):
    from inventory.services import scheduler_status

    def beat():
        if leader is not None and not leader.held():
            # Its connection to the database ended, and the lock with it: another may lead now.
            log.error("lost the lead; stopping the jobs and waiting as standby")
            _stop(scheduler)
            return
        if stop.is_set():  # a stop that came before the scheduler was running
            _stop(scheduler)
            return
        _record(app, scheduler_status.beat)

    return beat


def _stop(scheduler: BlockingScheduler) -> None:
    # Not from inside a signal handler or a job: another thread lets running jobs finish (the sender
    # stops between messages), then the scheduler's loop ends.
    def shut_down():
        if scheduler.running:
            scheduler.shutdown(wait=True)

    threading.Thread(target=shut_down, daemon=True).start()


def run_forever(app: Flask, *, standby_retry: float = STANDBY_RETRY_SECONDS) -> None:
    stop = threading.Event()
    current: list[BlockingScheduler] = []

    def on_signal(signum, frame):
        log.info("stopping on %s", signal.Signals(signum).name)
        stop.set()
        if current:
            _stop(current[0])
            threading.Thread(target=_leave_after_grace, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with app.app_context():
        from inventory.extensions import db

        leader = Leadership(db.engine.url, app.instance_path)
    try:
        while leader.wait(stop, retry_every=standby_retry):
            scheduler = build(app, stop, leader)
            scheduler.add_listener(
                lambda e: log.error("job %s failed: %s", e.job_id, type(e.exception).__name__), EVENT_JOB_ERROR
            )
            scheduler.add_listener(
                lambda e: log.info("scheduler started with %d jobs", len(JOBS)), EVENT_SCHEDULER_STARTED
            )
            current[:] = [scheduler]
            scheduler.start()  # until a stop, or the lead is lost
            current.clear()
            leader.release()
    finally:
        leader.release()
    log.info("scheduler stopped")


def _leave_after_grace() -> None:
    time.sleep(STOP_GRACE_SECONDS)
    log.warning("a job was still running %.1f s after the stop; leaving it to be recovered", STOP_GRACE_SECONDS)
    logging.shutdown()
    os._exit(0)
