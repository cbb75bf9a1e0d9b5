"""Assets over HTTP: receive, import, list, look up, history, life cycle."""

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Asset
from tests.conftest import BASE_URL, SAMPLES


def test_create_one_asset(client, world):
    body = {
        "type": "tablet",
        "make": "Lenovo",
        "model": "Tab M10",
        "serial": "haf86e1362",
        "imei": "358756116494878",
        "condition": "a",
        "wipe_certificate": "W-1",
        "programme": "dii",
        "location": "wh-main",
    }
    r = client.post("/api/v1/assets", json=body, headers=world.headers["warehouse"])
    assert r.status_code == 201, r.json
    asset = r.json
    assert asset["status"] == "in_stock" and asset["serial"] == "HAF86E1362" and asset["location"] == "WH-MAIN"
    assert asset["label_url"] == f"{BASE_URL}/a/{asset['tag']}"
    assert client.get(f"/api/v1/assets/{asset['tag'].lower()}", headers=world.headers["advocate"]).json == asset


def test_import_as_multipart_then_the_same_file_again_is_refused(client, world):
    headers = world.headers["warehouse"]
    data = (SAMPLES / "delivery-tablets.csv").read_bytes()
    r = client.post(
        "/api/v1/assets/import", data={"file": (__import__("io").BytesIO(data), "tablets.csv")}, headers=headers
    )
    assert r.status_code == 201 and r.json["created"] == 300 and len(r.json["tags"]) == 300
    again = client.post("/api/v1/assets/import", data=data, content_type="text/csv", headers=headers)
    assert again.status_code == 422
    assert again.json["message"] == "300 rows with errors; nothing was imported"
    assert again.json["errors"][0] == {
        "row": 2,
        "column": "serial",
        "message": "serial R99B95F239 (make samsung) is already stored",
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 300


def test_import_dry_run_answers_200_and_stores_nothing(client, world):
    data = (SAMPLES / "sims-vodafone.csv").read_bytes()
    r = client.post(
        "/api/v1/assets/import?dry_run=true", data=data, content_type="text/csv", headers=world.headers["admin"]
    )
    assert r.status_code == 200 and r.json["dry_run"] is True and r.json["checked"] == 300
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0


def test_import_without_a_file_is_a_clear_422(client, world):
    r = client.post("/api/v1/assets/import", json={"x": 1}, headers=world.headers["warehouse"])
    assert r.status_code == 422 and "Send a CSV file" in r.json["message"]


def test_list_filters_and_paginates(client, world, make_asset):
    for _ in range(3):
        make_asset("tablet")
    make_asset("sim", location="HUB-A", model="Data SIM")
    headers = world.headers["warehouse"]
    r = client.get("/api/v1/assets?type=tablet&page_size=2", headers=headers)
    assert len(r.json) == 2 and '"total": 3' in r.headers["X-Pagination"]
    assert [a["type"] for a in client.get("/api/v1/assets?location=hub-a", headers=headers).json] == ["sim"]
    assert client.get("/api/v1/assets?status=retired", headers=headers).json == []
    assert client.get("/api/v1/assets?q=galaxy", headers=headers).status_code == 200
    assert len(client.get("/api/v1/assets?q=Galaxy", headers=headers).json) == 3


def test_history_oldest_first(client, world, make_asset):
    tablet = make_asset()
    headers = world.headers["warehouse"]
    client.post(f"/api/v1/assets/{tablet.tag}/move", json={"location": "HUB-B"}, headers=headers)
    client.post(f"/api/v1/assets/{tablet.tag}/quarantine", json={"note": "dropped"}, headers=headers)
    client.post(f"/api/v1/assets/{tablet.tag}/retire", json={"reason": "recycled"}, headers=headers)
    history = client.get(f"/api/v1/assets/{tablet.tag}/history", headers=world.headers["advocate"]).json
    assert [(e["action"], e["from_status"], e["to_status"], e["to_location"]) for e in history] == [
        ("receive", None, "in_stock", "WH-MAIN"),
        ("move", "in_stock", "in_stock", "HUB-B"),
        ("quarantine", "in_stock", "quarantine", "HUB-B"),
        ("retire", "quarantine", "retired", "HUB-B"),
    ]
    assert history[1]["actor"] == "warehouse@test.example" and history[2]["note"] == "dropped"


def test_a_refused_change_is_409_and_changes_nothing(client, world, make_asset):
    tablet = make_asset()
    headers = world.headers["warehouse"]
    client.post(f"/api/v1/assets/{tablet.tag}/retire", json={"reason": "lost"}, headers=headers)
    r = client.post(f"/api/v1/assets/{tablet.tag}/move", json={"location": "HUB-A"}, headers=headers)
    assert r.status_code == 409
    assert r.json == {
        "code": 409,
        "message": f"{tablet.tag} (tablet) is retired, so it cannot be moved: it has been retired",
    }
    assert client.get(f"/api/v1/assets/{tablet.tag}", headers=headers).json["location"] == "WH-MAIN"


def test_restock_needs_the_wipe_certificate_field(client, world, make_asset):
    laptop = make_asset("laptop")
    headers = world.headers["warehouse"]
    client.post(f"/api/v1/assets/{laptop.tag}/quarantine", json={}, headers=headers)
    r = client.post(f"/api/v1/assets/{laptop.tag}/restock", json={"location": "WH-MAIN"}, headers=headers)
    assert r.status_code == 422 and r.json["errors"] == {"wipe_certificate": ["Required to restock a laptop."]}
    r = client.post(f"/api/v1/assets/{laptop.tag}/restock", json={"wipe_certificate": "W-9"}, headers=headers)
    assert r.status_code == 200 and r.json["status"] == "in_stock"


def test_a_mistyped_tag_in_a_path_says_the_check_failed(client, world, make_asset):
    tag = make_asset().tag
    typo = tag[:3] + tag[4] + tag[3] + tag[5:] if tag[3] != tag[4] else tag[:-1] + ("2" if tag[-1] != "2" else "3")
    r = client.get(f"/api/v1/assets/{typo}", headers=world.headers["warehouse"])
    assert r.status_code == 422 and "failed its check character" in r.json["message"]
