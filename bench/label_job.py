"""What asking for a big label sheet costs a web worker now: the request (a 202 with a job), the job's status,
and the download, against the sheet made in the request as it used to be, on the same database in the same run.

    python bench/label_job.py [--labels 5000] [--database-url URL]

Builds a database (SQLite in a temporary folder unless --database-url is given; a PostgreSQL database is
emptied first) holding one delivery of N chairs, then, through the app's test client (no HTTP server: the
figures are the app's own time):

- in request: the whole sheet made while the request waits (what POST /api/v1/labels/sheet did for every
  size before; still what it does up to 1,000 labels), timed as the same service call the request makes;
- request: POST /api/v1/labels/sheet for the delivery, answered 202 with the job;
- status: GET /api/v1/jobs/{id} (what a page polls);
- job: the scheduler's runner making the sheet in the background (claim, progress, file kept);
- download: GET /api/v1/jobs/{id}/download.

Target (issue 18): no request holds a worker for more than 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import fresh_database  # noqa: E402

HEADER = (
    "type,make,model,serial,imei,iccid,msisdn,network,data_allowance_gb,condition,wipe_certificate,programme,location"
)


PROFILE = False  # True: where the in-request sheet spends its time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=5000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-label-job-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        with fresh_database(url):
            run(args.labels, Path(tmp))


def run(n: int, tmp: Path) -> None:
    from flask import current_app

    from inventory import clock
    from inventory.extensions import db, unit_of_work
    from inventory.services import background_jobs, labels, reference, users

    app = current_app._get_current_object()
    app.config.update(FILE_STORAGE_DIR=str(tmp / "files"), PUBLIC_BASE_URL="https://kit.example.org")
    app.extensions["file_storage"].root = tmp / "files"
    with unit_of_work():
        reference.create_organisation(code="OPS", name="Warehouse operator")
        reference.create_location(
            code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley", organisation="OPS"
        )
        user, _ = users.create_user("bench@example.org", "warehouse", password="correct horse battery staple")
        token = users.create_token(user)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    rows = [f"chair,ReUse Furniture,Task chair,CH-{i:06d},,,,,,A,,DII,WH-MAIN" for i in range(n)]
    imported = client.post(
        "/api/v1/assets/import", data="\n".join([HEADER, *rows]) + "\n", content_type="text/csv", headers=headers
    )
    assert imported.status_code == 201, imported.json
    batch = imported.json["batch"]
    db.session.remove()

    # The sheet made while the request waits, as before: the same service calls, rolled back.
    t0 = time.perf_counter()
    if PROFILE:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with app.test_request_context():
        things = labels.select(batch=batch)
        pdf, _, _ = labels.printout(things, fmt="pdf", template_code="L7651", start_position=1, config=app.config)
        db.session.rollback()
    in_request = time.perf_counter() - t0
    if PROFILE:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    db.session.remove()

    t0 = time.perf_counter()
    answer = client.post("/api/v1/labels/sheet", json={"batch": batch}, headers=headers)
    request = time.perf_counter() - t0
    assert answer.status_code == 202, answer.status_code
    location = answer.headers["Location"]
    db.session.remove()

    t0 = time.perf_counter()
    assert client.get(location, headers=headers).json["status"] == "queued"
    status = time.perf_counter() - t0
    db.session.remove()

    t0 = time.perf_counter()
    with unit_of_work():
        counts = background_jobs.run_due(clock.now)
    job = time.perf_counter() - t0
    assert counts == {"done": 1, "failed": 0}, counts
    db.session.remove()

    t0 = time.perf_counter()
    download = client.get(location + "/download", headers=headers)
    fetched = time.perf_counter() - t0
    assert download.status_code == 200
    size = len(download.data)

    print(f"{n}-label L7651 sheet on {db.engine.dialect.name}:")
    print(f"  in request (as before):   {in_request:6.2f} s  ({len(pdf) // 1024} KiB)")
    print(f"  request, now (202 + job): {request:6.2f} s  = {request / in_request:.3f}x")
    print(f"  status (GET the job):     {status:6.3f} s")
    print(f"  job, in the scheduler:    {job:6.2f} s")
    print(f"  download:                 {fetched:6.3f} s  ({size // 1024} KiB)")
    print("  target: no request over 5 s")


if __name__ == "__main__":
    main()
