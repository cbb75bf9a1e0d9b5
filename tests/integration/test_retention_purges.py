"""The nightly purges of what is kept only for a while: Idempotency-Keys after IDEMPOTENCY_KEY_DAYS, and
finished background jobs with their files after JOB_RESULT_DAYS; a batch at a time, never a job still to run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from inventory import clock
from inventory.extensions import db, unit_of_work
from inventory.models import BackgroundJob, IdempotencyKey, JobStatus
from inventory.services import background_jobs, idempotency
from inventory.storage import storage
from scheduler.jobs import JOBS, in_context


def _job_named(name: str):
    return next(job for job in JOBS if job.name == name)


def _keys() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(sa.select(IdempotencyKey.key)))


def _participant(reference: str) -> dict:
    return {
        "reference": reference,
        "name": "Sam Retry",
        "area": "st helens",
        "referral_source": "restart",
        "programme": "dii",
        "contact_consent": False,
    }


def test_a_key_is_replayed_within_its_window_and_purged_after_it(app, client, world):
    assert app.config["IDEMPOTENCY_KEY_DAYS"] == 7
    headers = {**world.headers["advocate"], "Idempotency-Key": "kept-a-week"}
    first = client.post("/api/v1/participants", json=_participant("HIW-000801"), headers=headers)
    assert first.status_code == 201, first.json
    purge = _job_named("purge idempotency keys")
    assert purge.trigger == "cron"

    # Six days on, the nightly purge leaves it: a retry still gets the first answer.
    app.config["CLOCK"].advance(timedelta(days=6))
    younger = {**world.headers["advocate"], "Idempotency-Key": "a-day-later"}
    assert client.post("/api/v1/participants", json=_participant("HIW-000802"), headers=younger).status_code == 201
    assert in_context(app, purge)() == {"deleted": 0}
    again = client.post("/api/v1/participants", json=_participant("HIW-000801"), headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json

    # A week and a day on, the first key goes; the one made six days later stays.
    app.config["CLOCK"].advance(timedelta(days=2))
    assert in_context(app, purge)() == {"deleted": 1}
    assert _keys() == {"a-day-later"}
    assert in_context(app, purge)() == {"deleted": 0}  # twice: nothing more


def test_the_key_purge_goes_a_batch_at_a_time(app, world, monkeypatch):
    monkeypatch.setattr(idempotency, "PURGE_BATCH", 2)
    now = clock.now()
    with unit_of_work():
        for n, days in enumerate([30, 20, 10, 9, 8, 3]):
            db.session.add(
                IdempotencyKey(
                    user_id=world.admin.id,
                    scope="loans",
                    key=f"k{n}-{days}d",
                    request_hash="h",
                    response={},
                    created_at=now - timedelta(days=days),
                )
            )
    with unit_of_work():
        assert idempotency.purge(now, keep_days=7) == 5
    assert _keys() == {"k5-3d"}
    monkeypatch.setattr(idempotency, "PURGE_BATCHES", 1)  # a night's cap: the rest waits for the next night
    with unit_of_work():
        for n in range(3):
            db.session.add(
                IdempotencyKey(
                    user_id=world.admin.id,
                    scope="loans",
                    key=f"again{n}",
                    request_hash="h",
                    response={},
                    created_at=now - timedelta(days=40),
                )
            )
    with unit_of_work():
        assert idempotency.purge(now, keep_days=7) == 2
    with unit_of_work():
        assert idempotency.purge(now, keep_days=7) == 1
    assert _keys() == {"k5-3d"}


def _job(status: JobStatus, *, created_days: float, finished_days: float | None, file: str | None = None) -> int:
    now = clock.now()
    key = None
    if file is not None:
        key = f"jobs/test/{file}"
        storage().put(key, b"made for the test")
    job = BackgroundJob(
        kind="asset_export",
        arguments={},
        status=status,
        result_key=key,
        created_at=now - timedelta(days=created_days),
        finished_at=now - timedelta(days=finished_days) if finished_days is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    return job.id


def test_finished_jobs_go_with_their_files_and_jobs_still_to_run_stay(app, world, monkeypatch):
    monkeypatch.setattr(background_jobs, "PURGE_BATCH", 2)  # several batches in one run
    folder = Path(app.config["FILE_STORAGE_DIR"])
    with unit_of_work():
        old_done = [_job(JobStatus.DONE, created_days=9, finished_days=9, file=f"old-{n}.pdf") for n in range(3)]
        old_failed = _job(JobStatus.FAILED, created_days=20, finished_days=20)
        young_done = _job(JobStatus.DONE, created_days=8, finished_days=6, file="young.pdf")  # a long queue
        old_queued = _job(JobStatus.QUEUED, created_days=30, finished_days=None)
        old_running = _job(JobStatus.RUNNING, created_days=30, finished_days=None)
    purge = _job_named("purge finished jobs")
    assert in_context(app, purge)() == {"deleted": 4}
    db.session.rollback()
    left = set(db.session.scalars(sa.select(BackgroundJob.id)))
    assert left == {young_done, old_queued, old_running}
    assert not any((folder / f"jobs/test/old-{n}.pdf").exists() for n in range(3))
    assert (folder / "jobs/test/young.pdf").exists()
    assert old_done and old_failed not in left
    assert in_context(app, purge)() == {"deleted": 0}
    # The one that ended six days ago goes once its own JOB_RESULT_DAYS have passed.
    app.config["CLOCK"].advance(timedelta(days=1, hours=1))
    assert in_context(app, purge)() == {"deleted": 1}
    assert not (folder / "jobs/test/young.pdf").exists()
