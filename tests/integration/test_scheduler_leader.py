"""Only one scheduler works at a time: the lead is a lock (PostgreSQL's advisory lock, or a file lock
on SQLite, whichever the suite runs on); the others wait as standbys and take over when it is free."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import SchedulerStatus
from scheduler.jobs import JOBS
from scheduler.leader import Leadership
from scheduler.process import _heartbeat, _logged, build


@pytest.fixture
def leaders(app):
    made = []

    def make():
        made.append(Leadership(db.engine.url, app.instance_path))
        return made[-1]

    yield make
    for leader in made:
        leader.release()


def test_two_schedulers_cannot_both_hold_the_lead(leaders):
    first, second = leaders(), leaders()
    assert first.try_acquire() and first.held()
    assert not second.try_acquire() and not second.held()
    assert not second.try_acquire()  # nor on a later try
    first.release()
    assert not first.held()
    assert second.try_acquire() and second.held()
    assert not first.try_acquire()


@pytest.mark.wall_clock
def test_a_standby_takes_over_when_the_leader_lets_go(leaders):
    leader, standby = leaders(), leaders()
    assert leader.try_acquire()
    stop, took = threading.Event(), threading.Event()
    waiting = threading.Thread(target=lambda: standby.wait(stop, retry_every=0.02) and took.set())
    waiting.start()
    assert not took.wait(0.2)  # a standby while the leader holds on
    leader.release()
    waiting.join(timeout=10)
    assert took.is_set() and standby.held()


def test_a_standby_told_to_stop_gives_up_waiting(leaders):
    assert leaders().try_acquire()
    stop = threading.Event()
    stop.set()
    assert leaders().wait(stop, retry_every=0.01) is False


def test_the_scheduler_records_its_heartbeat_and_each_jobs_last_run(app, leaders):
    leader = leaders()
    assert leader.try_acquire()
    scheduler = build(app, leader=leader)
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted([j.name for j in JOBS] + ["heartbeat"])
    _heartbeat(app, scheduler, threading.Event(), leader)()
    _logged(app, "send reminders", lambda: {"sent": 2, "retrying": 0})()
    with pytest.raises(RuntimeError):
        _logged(app, "retention", lambda: (_ for _ in ()).throw(RuntimeError("boom")))()
    db.session.rollback()
    rows = {r.name: r for r in db.session.scalars(sa.select(SchedulerStatus))}
    assert rows["scheduler"].last_seen is not None and rows["scheduler"].last_run is None
    assert rows["send reminders"].last_result == "sent 2, retrying 0" and rows["send reminders"].last_run
    assert rows["retention"].last_result == "failed: RuntimeError"  # the type only: never an error's text


def _start_scheduler(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from inventory.cli import main; main()", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    return proc, lines


def _until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)  # polling a real process's output
    return False


@pytest.mark.slow
@pytest.mark.wall_clock
def test_of_two_scheduler_processes_one_leads_and_the_other_takes_over_when_it_stops(database_url):
    first, first_log = _start_scheduler(database_url)
    try:
        assert _until(lambda: any(f"scheduler started with {len(JOBS)} jobs" in line for line in first_log)), first_log
        second, second_log = _start_scheduler(database_url)
        try:
            assert _until(lambda: any("waiting as standby" in line for line in second_log)), second_log
            sent = time.monotonic()
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=10)
            stopped_in = time.monotonic() - sent
            assert first.returncode == 0 and stopped_in < 5, (stopped_in, first_log)
            # The standby retries every 5 s: it takes over within that (and a start-up).
            assert _until(lambda: any("took the lead" in line for line in second_log), 20), second_log
            standby_at = next(i for i, line in enumerate(second_log) if "waiting as standby" in line)
            assert not any("took the lead" in line for line in second_log[:standby_at])
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=10)
        assert second.returncode == 0
        assert sum("took the lead" in line for line in first_log + second_log) == 2  # one at a time, in turn
    finally:
        if first.poll() is None:
            first.kill()
