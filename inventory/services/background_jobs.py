"""Long work off the web workers: a request queues a job; the scheduler process claims it, runs it while
recording its progress, and keeps its result in file storage for the one who asked to download.

A runner claims one job at a time under a random token, with a claim that lapses after CLAIM_SECONDS
unless renewed. Progress renews it, in a connection of its own so the page sees it at once; a runner
whose claim was taken over (it stalled past its claim, and another runner started the job again) finds
its token gone at its next progress or at the end, and stops without recording anything, so a job has
one result however many times it was started. A job started MAX_ATTEMPTS times without finishing (say
it brings its process down each time) is failed rather than started again. The work itself runs in a
read-only transaction; what it changes (labels marked as printed) is applied, with the result, in one
short write transaction at the end."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from ..errors import DomainError, NotFound
from ..extensions import db, read_intent, write_intent
from ..models import Actor, BackgroundJob, JobStatus, User
from ..permissions import sees_job
from ..storage import storage

log = logging.getLogger("inventory.jobs")

CLAIM_SECONDS = 120  # a claim not renewed for this long is taken as abandoned (a runner renews it as it goes)
MAX_ATTEMPTS = 3


@dataclass
class JobResult:
    """What a kind hands back: the file, and what to change in the database once it is kept."""

    body: bytes | Path  # the file's bytes, or a temporary file (moved into storage, then deleted)
    filename: str
    media_type: str
    apply: Callable[[], None] = field(default=lambda: None)


Progress = Callable[[int, int], None]  # (done, total)
Runner = Callable[[dict, "User | None", Progress], JobResult]


class Stopped(Exception):
    """The runner was asked to stop (SIGTERM): the job goes back to the queue."""


class ClaimLost(Exception):
    """Another runner took the job over: this one records nothing."""


def _kinds() -> dict[str, Runner]:
    # Imported here: the kinds are services of their own, which may queue jobs through this module.
    from . import asset_export, labels

    return {"label_sheet": labels.run_sheet_job, "asset_export": asset_export.run_export_job}


def start(kind: str, arguments: dict, requested_by: Actor | None, *, total: int = 0) -> BackgroundJob:
    """Queue a job (flushed; the entry point commits). `arguments` must hold no personal data."""
    if kind not in _kinds():
        raise ValueError(f"no job kind {kind!r}")
    requester = requested_by.id if requested_by is not None and requested_by.id else None
    job = BackgroundJob(kind=kind, arguments=arguments, requested_by_id=requester, total=total)
    db.session.add(job)
    db.session.flush()
    return job


def get(job_id: int, viewer: Actor) -> BackgroundJob:
    """A job its viewer may see (who asked for it, or an admin); anyone else is told there is none."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None or not sees_job(viewer.role, viewer.id, job.requested_by_id):
        raise NotFound(f"There is no job {job_id}")
    return job


def listed(viewer: Actor | None, limit: int = 50) -> list[BackgroundJob]:
    """The latest jobs: the viewer's own, or everyone's for the command line (None)."""
    query = sa.select(BackgroundJob).order_by(BackgroundJob.id.desc()).limit(limit)
    if viewer is not None:
        query = query.where(BackgroundJob.requested_by_id == viewer.id)
    return list(db.session.scalars(query))


def result(job_id: int, viewer: Actor) -> tuple[BinaryIO, str, str]:
    """A finished job's file as (a stream to read, media type, file name)."""
    job = get(job_id, viewer)
    body = storage().open(job.result_key) if job.status == JobStatus.DONE and job.result_key else None
    if body is None:
        raise NotFound(f"Job {job_id} has no file to download" + ("" if job.status == JobStatus.DONE else " yet"))
    return body, job.result_type or "application/octet-stream", job.result_name or f"job-{job_id}"


def claim(now: datetime, token: str) -> int | None:
    """Take the oldest queued job, or one whose claim lapsed, under `token`, and commit; its id."""
    db.session.rollback()  # a runner works in transactions of its own, starting with this claim
    lapsed = sa.and_(BackgroundJob.status == JobStatus.RUNNING, BackgroundJob.claimed_until < now)
    with write_intent():
        while True:
            row = db.session.execute(
                sa.select(BackgroundJob.id, BackgroundJob.attempts)
                .where(sa.or_(BackgroundJob.status == JobStatus.QUEUED, lapsed))
                .order_by(BackgroundJob.created_at, BackgroundJob.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                db.session.commit()
                return None
            if row.attempts >= MAX_ATTEMPTS:
                db.session.execute(
                    sa.update(BackgroundJob)
                    .where(BackgroundJob.id == row.id)
                    .values(
                        status=JobStatus.FAILED,
                        claim_token=None,
                        finished_at=now,
                        message=f"It stopped {row.attempts} times before it could finish; ask again, or ask "
                        "for fewer at a time.",
                    )
                )
                continue
            db.session.execute(
                sa.update(BackgroundJob)
                .where(BackgroundJob.id == row.id)
                .values(
                    status=JobStatus.RUNNING,
                    claim_token=token,
                    claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                    started_at=now,
                    attempts=BackgroundJob.attempts + 1,
                    done=0,
                )
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            return row.id


def _ours(job_id: int, token: str):
    return sa.and_(BackgroundJob.id == job_id, BackgroundJob.claim_token == token)


PROGRESS_EVERY_SECONDS = 0.5  # progress is written at most this often (and at the start and the end)


def _progress_writer(
    job_id: int,
    token: str,
    clock: Callable[[], datetime],
    stop: threading.Event | None,
    watch: Progress | None = None,
):
    last = [float("-inf")]

    def progress(done: int, total: int) -> None:
        if stop is not None and stop.is_set():
            raise Stopped()
        if watch is not None:
            watch(done, total)
        # A duration, not a date: the monotonic clock, so that a write every 50 labels costs nothing.
        if 0 < done < total and time.monotonic() - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = time.monotonic()
        now = clock()
        # In a connection of its own: committed at once, whatever the work's own transaction is doing.
        with db.engine.begin() as connection:
            renewed = connection.execute(
                sa.update(BackgroundJob)
                .where(_ours(job_id, token))
                .values(done=done, total=total, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
            ).rowcount
        if not renewed:
            raise ClaimLost()

    return progress


def run(
    job_id: int,
    token: str,
    clock: Callable[[], datetime],
    stop: threading.Event | None = None,
    watch: Progress | None = None,
) -> str:
    """Run one claimed job to its end; its final status ("done", "failed", "queued" when stopped, or
    "taken over")."""
    db.session.rollback()
    try:
        # The work only reads (in a plain transaction, which on SQLite takes no write lock: its progress
        # is written beside it); what it changes is applied at the end, with the result.
        with read_intent():
            job = db.session.get(BackgroundJob, job_id)
            if job is None or job.claim_token != token:
                raise ClaimLost()
            kind, arguments = job.kind, dict(job.arguments)
            requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
            outcome = _kinds()[kind](arguments, requester, _progress_writer(job_id, token, clock, stop, watch))
    except ClaimLost:
        db.session.rollback()
        log.warning("job %d was taken over by another runner; dropping this run", job_id)
        return "taken over"
    except Stopped:
        db.session.rollback()
        _settle(job_id, token, status=JobStatus.QUEUED, claim_token=None, claimed_until=None)
        return "queued"
    except DomainError as refused:
        db.session.rollback()
        _settle(job_id, token, status=JobStatus.FAILED, message=str(refused)[:300], finished_at=clock())
        return "failed"
    except Exception as error:
        db.session.rollback()
        log.exception("job %d failed", job_id)
        message = f"Something went wrong making it ({type(error).__name__}); ask again, or tell an administrator."
        _settle(job_id, token, status=JobStatus.FAILED, message=message, finished_at=clock())
        return "failed"
    db.session.rollback()  # the work read in a snapshot; what it changes is applied below, with the result
    key = f"jobs/{secrets.token_hex(16)}/{_safe_name(outcome.filename)}"
    if isinstance(outcome.body, Path):
        try:
            storage().put_file(key, outcome.body)
        finally:
            outcome.body.unlink(missing_ok=True)
    else:
        storage().put(key, outcome.body)
    try:
        with write_intent():
            outcome.apply()
            finished = db.session.execute(
                sa.update(BackgroundJob)
                .where(_ours(job_id, token))
                .values(
                    status=JobStatus.DONE,
                    result_key=key,
                    result_name=outcome.filename,
                    result_type=outcome.media_type,
                    finished_at=clock(),
                    claim_token=None,
                    claimed_until=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if not finished:
                raise ClaimLost()
            db.session.commit()
    except BaseException as error:
        db.session.rollback()
        storage().delete(key)
        if isinstance(error, ClaimLost):
            log.warning("job %d was taken over by another runner before it finished; dropping this run", job_id)
            return "taken over"
        if not isinstance(error, Exception):
            raise
        # Refused while applying its changes (what it printed went meanwhile): failed, saying why.
        if isinstance(error, DomainError):
            message = str(error)[:300]
        else:
            log.exception("job %d failed as it finished", job_id)
            message = f"Something went wrong keeping it ({type(error).__name__}); ask again, or tell an administrator."
        _settle(job_id, token, status=JobStatus.FAILED, message=message, finished_at=clock())
        return "failed"
    return "done"


def _settle(job_id: int, token: str, **values) -> None:
    with write_intent():
        db.session.execute(
            sa.update(BackgroundJob)
            .where(_ours(job_id, token))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _safe_name(filename: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename.lower()).strip(".-")
    return cleaned or "result"


def run_due(
    clock: Callable[[], datetime],
    stop: threading.Event | None = None,
    limit: int = 20,
    watch: Callable[[BackgroundJob], Progress] | None = None,
) -> dict:
    """Claim and run jobs one at a time until none is waiting, `limit` were run, or `stop` is set.
    `watch(job)` gives a progress display for each job (the command line's)."""
    counts = {"done": 0, "failed": 0}
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        token = secrets.token_hex(16)
        job_id = claim(clock(), token)
        if job_id is None:
            break
        shown = watch(db.session.get(BackgroundJob, job_id)) if watch else None  # type: ignore[arg-type]
        status = run(job_id, token, clock, stop, shown)
        if status in counts:
            counts[status] += 1
    return counts


PURGE_BATCH = 1000
PURGE_BATCHES = 20  # at most this many batches a night; what is left goes the next night


def purge(now: datetime, keep_days: int) -> int:
    """Delete jobs that ended more than `keep_days` before `now`, and their files; how many (flushed).
    A queued or running job is never deleted, however old. A batch at a time, oldest first, by the
    (status, created_at) index: a job that ended before the cut-off was created before it too."""
    cutoff = now - timedelta(days=keep_days)
    deleted = 0
    for _ in range(PURGE_BATCHES):
        rows = db.session.execute(
            sa.select(BackgroundJob.id, BackgroundJob.result_key)
            .where(
                BackgroundJob.status.in_((JobStatus.DONE, JobStatus.FAILED)),
                BackgroundJob.created_at < cutoff,
                BackgroundJob.finished_at < cutoff,
            )
            .order_by(BackgroundJob.created_at, BackgroundJob.id)
            .limit(PURGE_BATCH)
        ).all()
        if rows:
            db.session.execute(
                sa.delete(BackgroundJob)
                .where(BackgroundJob.id.in_([row.id for row in rows]))
                .execution_options(synchronize_session=False)
            )
        # The files go once their rows are gone from this transaction: should it roll back, a row left
        # without its file answers "no file to download" and goes the next night.
        for row in rows:
            if row.result_key:
                storage().delete(row.result_key)
        deleted += len(rows)
        if len(rows) < PURGE_BATCH:
            break
    return deleted


def percent(job: BackgroundJob) -> int:
    if job.status == JobStatus.DONE:
        return 100
    return min(99, job.done * 100 // job.total) if job.total else 0
