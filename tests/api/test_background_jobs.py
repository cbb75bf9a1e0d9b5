"""Long work off the web workers: a sheet of more than 1,000 labels is a background job that the
scheduler's runner makes, with progress, for the one who asked; a failure, a crashed runner and a
stopped one each leave one clear outcome."""

import threading
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import sqlalchemy as sa

from inventory import clock
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, BackgroundJob, JobStatus
from inventory.services import background_jobs
from scheduler.jobs import JOBS, in_context
from tests.api.test_labels_api import decoded_tags

HEADER = (
    "type,make,model,serial,imei,iccid,msisdn,network,data_allowance_gb,condition,wipe_certificate,programme,location"
)


def delivery(client, headers, n: int, start: int = 1) -> dict:
    rows = [f"chair,ReUse Furniture,Task chair,CH-{i:05d},,,,,,A,,HIW,WH-MAIN" for i in range(start, start + n)]
    r = client.post(
        "/api/v1/assets/import", data="\n".join([HEADER, *rows]) + "\n", content_type="text/csv", headers=headers
    )
    assert r.status_code == 201, r.json
    return r.json


def run_jobs(app) -> dict:
    """What the scheduler's "run background jobs" runs, in its own app context and unit of work."""
    [job] = [j for j in JOBS if j.name == "run background jobs"]
    db.session.remove()
    counts = in_context(app, job)()
    db.session.remove()
    return counts


def printed() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Asset.label_printed_at.is_not(None)))


def test_a_sheet_of_1001_labels_is_made_in_the_background_then_downloaded_and_every_code_decodes(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    r = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers)
    assert r.status_code == 202, r.data[:200]
    job = r.json
    assert r.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["status"], job["done"], job["total"], job["download"]) == ("queued", 0, 1001, None)
    assert printed() == 0  # nothing is marked printed until the sheet exists

    assert run_jobs(app) == {"done": 1, "failed": 0}

    done = client.get(r.headers["Location"], headers=headers).json
    assert (done["status"], done["done"], done["total"], done["percent"]) == ("done", 1001, 1001, 100)
    assert done["started_at"] and done["finished_at"] and done["message"] is None
    pdf = client.get(done["download"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "labels-L7651-1001.pdf" in pdf.headers["Content-Disposition"]
    assert len(pdfium.PdfDocument(pdf.data)) == 16  # 1,001 at 65 a sheet
    assert sorted(decoded_tags(pdf.data)) == sorted(imported["tags"])
    assert printed() == 1001


def test_up_to_1000_labels_still_come_back_in_the_answer(client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1000)
    r = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackgroundJob)) == 0


def test_only_who_asked_and_admins_see_the_job_and_its_file(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    location = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).headers[
        "Location"
    ]
    run_jobs(app)
    for role in ("advocate", "partner"):
        assert client.get(location, headers=world.headers[role]).status_code == 404
        assert client.get(location + "/download", headers=world.headers[role]).status_code == 404
    assert client.get(location + "/download", headers=world.headers["admin"]).status_code == 200
    assert client.get(location).status_code == 401 and client.get(location + "/download").status_code == 401


def test_progress_is_recorded_as_the_sheet_is_drawn(app, client, world, monkeypatch):
    """The runner writes done/total as it goes, committed at once: another session sees it mid-run."""
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    location = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).headers[
        "Location"
    ]
    monkeypatch.setattr(background_jobs, "PROGRESS_EVERY_SECONDS", 0)
    seen = []
    real = background_jobs._progress_writer

    def watching(job_id, token, clock_, stop, watch=None):
        write = real(job_id, token, clock_, stop, watch)

        def progress(done, total):
            write(done, total)
            with app.test_client() as other:  # a request of its own, as the job page polls
                answer = other.get(location, headers=headers).json
            seen.append((answer["status"], answer["done"], answer["total"]))

        return progress

    monkeypatch.setattr(background_jobs, "_progress_writer", watching)
    run_jobs(app)
    assert seen[0] == ("running", 0, 1001)
    assert ("running", 500, 1001) in seen and seen[-1] == ("running", 1001, 1001)
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)
    assert client.get(location, headers=headers).json["status"] == "done"


def test_a_job_that_fails_is_recorded_as_failed_with_why(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    location = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).headers[
        "Location"
    ]
    # Between the request and the run, one of the assets' tags stops naming anything.
    with unit_of_work():
        job = db.session.scalars(sa.select(BackgroundJob)).one()
        job.arguments = {**job.arguments, "tags": [*job.arguments["tags"][:-1], "ZZZZZZZ"]}
    assert run_jobs(app) == {"done": 0, "failed": 1}
    failed = client.get(location, headers=headers).json
    assert failed["status"] == "failed" and failed["download"] is None
    assert "ZZZZZZZ" in failed["message"]
    assert client.get(location + "/download", headers=headers).status_code == 404
    assert printed() == 0


def test_a_crashed_runners_job_is_taken_over_after_its_claim_lapses_and_gives_one_result(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    location = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).headers[
        "Location"
    ]
    kept_before = set(Path(app.config["FILE_STORAGE_DIR"]).glob("jobs/*/*"))
    db.session.remove()
    crashed = background_jobs.claim(clock.now(), "crashed-runner-token")  # claimed, then the process died
    db.session.remove()
    assert crashed is not None
    assert run_jobs(app) == {"done": 0, "failed": 0}  # its claim still holds: nobody else starts it

    app.config["CLOCK"].advance(timedelta(seconds=background_jobs.CLAIM_SECONDS + 1))
    assert run_jobs(app) == {"done": 1, "failed": 0}
    # The first runner wakes up and tries to record progress or a result: its claim is gone.
    db.session.remove()
    assert background_jobs.run(crashed, "crashed-runner-token", clock.now) == "taken over"
    db.session.remove()
    job = db.session.scalars(sa.select(BackgroundJob)).one()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    # One file kept: the taken-over run's was never stored (or was deleted).
    files = Path(app.config["FILE_STORAGE_DIR"])
    assert set(files.glob("jobs/*/*")) - kept_before == {files / job.result_key}
    assert sorted(decoded_tags(client.get(location + "/download", headers=headers).data)) == sorted(imported["tags"])


def test_a_stopped_runner_hands_its_job_back_to_the_queue(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers)
    stop = threading.Event()
    stop.set()
    db.session.remove()
    token = "stopping-runner"
    job_id = background_jobs.claim(clock.now(), token)
    assert background_jobs.run(job_id, token, clock.now, stop) == "queued"
    db.session.remove()
    job = db.session.get(BackgroundJob, job_id)
    assert (job.status, job.claim_token) == (JobStatus.QUEUED, None)
    assert run_jobs(app) == {"done": 1, "failed": 0}


def test_a_job_that_keeps_dying_is_failed_after_three_starts(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    location = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).headers[
        "Location"
    ]
    for attempt in range(background_jobs.MAX_ATTEMPTS):
        db.session.remove()
        assert background_jobs.claim(clock.now(), f"dies-{attempt}") is not None
        app.config["CLOCK"].advance(timedelta(seconds=background_jobs.CLAIM_SECONDS + 1))
    assert run_jobs(app) == {"done": 0, "failed": 0}
    failed = client.get(location, headers=headers).json
    assert failed["status"] == "failed" and "stopped 3 times" in failed["message"]


def test_finished_jobs_and_their_files_are_deleted_after_the_retention_period(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    location = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).headers[
        "Location"
    ]
    run_jobs(app)
    key = db.session.scalars(sa.select(BackgroundJob.result_key)).one()
    [purge] = [j for j in JOBS if j.name == "purge finished jobs"]
    db.session.remove()
    assert in_context(app, purge)() == {"deleted": 0}
    app.config["CLOCK"].advance(timedelta(days=app.config["JOB_RESULT_DAYS"], hours=1))
    assert in_context(app, purge)() == {"deleted": 1}
    db.session.remove()
    assert client.get(location, headers=headers).status_code == 404
    assert not (Path(app.config["FILE_STORAGE_DIR"]) / key).exists()


def test_a_job_refused_as_it_keeps_its_result_is_failed_and_keeps_no_file(app, client, world, monkeypatch):
    from inventory.errors import Conflict
    from inventory.services import labels

    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    location = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).headers[
        "Location"
    ]
    kept_before = set(Path(app.config["FILE_STORAGE_DIR"]).glob("jobs/*/*"))

    def refuse(things):
        raise Conflict("Those labels changed while the sheet was made")

    monkeypatch.setattr(labels, "_printed", refuse)
    assert run_jobs(app) == {"done": 0, "failed": 1}
    failed = client.get(location, headers=headers).json
    assert (failed["status"], failed["message"]) == ("failed", "Those labels changed while the sheet was made")
    assert set(Path(app.config["FILE_STORAGE_DIR"]).glob("jobs/*/*")) == kept_before
    assert printed() == 0


def test_a_zpl_job_of_1001_labels_is_made_in_the_background_too(app, client, world):
    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    r = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"], "format": "zpl"}, headers=headers)
    assert r.status_code == 202
    assert run_jobs(app) == {"done": 1, "failed": 0}
    zpl = client.get(r.headers["Location"] + "/download", headers=headers)
    assert zpl.mimetype == "application/zpl" and "labels-1001.zpl" in zpl.headers["Content-Disposition"]
    body = zpl.get_data(as_text=True)
    assert body.count("^XA") == 1001 and all(f"/A/{tag}" in body for tag in imported["tags"])
    assert printed() == 1001
