"""The pages of long work: a delivery's sheet of more than 1,000 labels, and the export of a long asset list,
each start a background job whose page shows how far it has got and then the download; only its owner sees it."""

import csv
import io
import re

import pypdfium2 as pdfium

from inventory.services import asset_export
from tests.api.test_background_jobs import delivery, run_jobs
from tests.api.test_labels_api import decoded_tags
from tests.web.conftest import new_request_context, sign_in


def job_path(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert re.fullmatch(r"/jobs/\d+", location), location
    return location


def test_a_deliverys_sheet_of_1001_labels_is_made_in_the_background(app, as_role, world):
    client, token = as_role("warehouse")
    imported = delivery(client, world.headers["warehouse"], 1001)
    started = client.post(
        f"/deliveries/{imported['batch']}/labels",
        data={"csrf_token": token, "sheet": "L7651", "start_position": "1", "format": "pdf"},
    )
    page_path = job_path(started)
    waiting = client.get(page_path).get_data(as_text=True)
    assert "Label sheet" in waiting and "Waiting to start." in waiting and "Check again" in waiting
    assert client.get(page_path + ".json").json["status"] == "queued"

    run_jobs(app)

    ready = client.get(page_path).get_data(as_text=True)
    download = re.search(r'href="(/jobs/\d+/download)"', ready).group(1)
    assert "Ready." in ready
    assert client.get(page_path + ".json").json == {
        "status": "done",
        "done": 1001,
        "total": 1001,
        "percent": 100,
        "message": None,
        "download": download,
    }
    pdf = client.get(download)
    assert pdf.mimetype == "application/pdf" and len(pdfium.PdfDocument(pdf.data)) == 16
    assert sorted(decoded_tags(pdf.data)) == sorted(imported["tags"])


def test_someone_elses_job_page_is_not_there(app, as_role, world):
    client, token = as_role("warehouse")
    imported = delivery(client, world.headers["warehouse"], 1001)
    page_path = job_path(
        client.post(f"/deliveries/{imported['batch']}/labels", data={"csrf_token": token, "format": "pdf"})
    )
    run_jobs(app)
    other = app.test_client()
    new_request_context()
    sign_in(other, "advocate@test.example")
    for path in (page_path, page_path + ".json", page_path + "/download"):
        assert other.get(path).status_code == 404
    assert client.get(page_path + "/download").status_code == 200


def test_a_long_asset_list_is_exported_in_the_background(app, as_role, world, make_asset, monkeypatch):
    monkeypatch.setattr(asset_export, "IN_REQUEST_ROWS", 3)
    client, token = as_role("warehouse")
    desks = [make_asset("desk").tag for _ in range(5)]
    make_asset("chair")
    asked = client.get("/assets.csv?type=desk")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and asked.mimetype == "text/html" and "more than 3 assets" in page
    assert 'name="type" value="desk"' in page
    page_path = job_path(client.post("/assets.csv", data={"csrf_token": token, "type": "desk"}))
    run_jobs(app)
    state = client.get(page_path + ".json").json
    assert (state["status"], state["done"], state["total"]) == ("done", 5, 5)
    export = client.get(state["download"])
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [r["tag"] for r in rows] == desks
    # A short list still downloads at once.
    assert client.get("/assets.csv?type=chair").mimetype == "text/csv"


def test_a_long_list_exported_in_the_background_keeps_the_lists_sort_across_batches(
    app, as_role, world, make_asset, monkeypatch
):
    monkeypatch.setattr(asset_export, "IN_REQUEST_ROWS", 3)
    monkeypatch.setattr(asset_export, "BATCH", 2)  # every batch starts after the last row by (sort key, id)
    client, token = as_role("warehouse")
    desks = [make_asset("desk").tag for _ in range(5)]
    page_path = job_path(client.post("/assets.csv", data={"csrf_token": token, "type": "desk", "sort": "tag"}))
    run_jobs(app)
    state = client.get(page_path + ".json").json
    assert state["status"] == "done"
    rows = list(csv.DictReader(io.StringIO(client.get(state["download"]).get_data(as_text=True))))
    assert [r["tag"] for r in rows] == sorted(desks)
