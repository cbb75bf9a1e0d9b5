"""The scheduler: one list of jobs, each a thin wrapper; its own process, which stops on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Notification
from scheduler.jobs import JOBS, in_context
from scheduler.process import build


def test_the_job_list():
    assert [(j.name, j.trigger) for j in JOBS] == [
        ("sweep reminders", "interval"),
        ("send reminders", "interval"),
        ("remind advocates of assessments", "cron"),
        ("retention", "cron"),
        ("purge sent reminders", "cron"),
        ("purge finished jobs", "cron"),
        ("purge idempotency keys", "cron"),
        ("run background jobs", "interval"),
    ]
    assert JOBS[0].schedule == {"hours": 1} and JOBS[1].schedule == {"minutes": 1}


def test_jobs_run_in_their_own_app_context_and_report_counts(app, world, make_asset, make_participant, issue):
    issue(make_participant(), make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1))
    # The test app's TODAY is 2026-11-22: that plan ends on 1 December, 9 days away, so in the 7-day band.
    counts = in_context(app, JOBS[0])()
    assert counts == {"participants": 1, "advocates": 1}
    counts = in_context(app, JOBS[1])()
    assert counts == {"sent": 2, "retrying": 0, "failed": 0, "lost": 0, "handed_back": 0}
    db.session.rollback()
    assert set(db.session.scalars(sa.select(Notification.status))) == {"sent"}


def test_the_scheduler_knows_every_job(app):
    scheduler = build(app)
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted([j.name for j in JOBS] + ["heartbeat"])


@pytest.mark.slow
def test_the_scheduler_process_stops_cleanly_on_sigterm(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from inventory.cli import main; main()", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.monotonic()
    lines = []
    while time.monotonic() - started < 30:
        line = proc.stdout.readline()
        lines.append(line)
        if f"scheduler started with {len(JOBS)} jobs" in line:
            break
    else:
        proc.kill()
        pytest.fail("".join(lines))
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, output
    assert "stopping on SIGTERM" in output and "scheduler stopped" in output
