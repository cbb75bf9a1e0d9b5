"""Stock counts, and what a partner can and cannot see."""

from tests.conftest import SAMPLES


def test_stock_counts_by_location_type_and_status(client, world, make_asset):
    make_asset("tablet"), make_asset("tablet"), make_asset("sim", location="HUB-A")
    retired = make_asset("chair")
    client.post(f"/api/v1/assets/{retired.tag}/retire", json={"reason": "recycled"}, headers=world.headers["warehouse"])
    r = client.get("/api/v1/stock", headers=world.headers["warehouse"])
    assert r.json["rows"] == [
        {"location": "HUB-A", "type": "sim", "status": "in_stock", "count": 1},
        {"location": "WH-MAIN", "type": "tablet", "status": "in_stock", "count": 2},
    ]
    assert r.json["network_available"] == [{"type": "sim", "count": 1}, {"type": "tablet", "count": 2}]
    only = client.get("/api/v1/stock?location=hub-a", headers=world.headers["warehouse"]).json["rows"]
    assert only == [{"location": "HUB-A", "type": "sim", "status": "in_stock", "count": 1}]


def test_a_partner_sees_only_its_own_hub_plus_network_availability(client, world, make_asset):
    client.post(
        "/api/v1/assets/import",
        data=(SAMPLES / "delivery-tablets.csv").read_bytes(),
        content_type="text/csv",
        headers=world.headers["warehouse"],
    )
    make_asset("chair", location="HUB-A"), make_asset("desk", location="HUB-B")
    headers = world.headers["partner"]
    stock = client.get("/api/v1/stock", headers=headers).json
    assert stock["rows"] == [{"location": "HUB-A", "type": "chair", "status": "in_stock", "count": 1}]
    assert {"type": "tablet", "count": 300} in stock["network_available"]
    assert client.get("/api/v1/stock?location=HUB-B", headers=headers).status_code == 404
    assert [a["location"] for a in client.get("/api/v1/assets?page_size=500", headers=headers).json] == ["HUB-A"]
    assert [loc["code"] for loc in client.get("/api/v1/locations", headers=headers).json] == ["HUB-A"]
    assert [o["code"] for o in client.get("/api/v1/organisations", headers=headers).json] == ["PARTNER-A"]


def test_a_partner_gets_stock_fields_only(client, world, make_asset):
    chair = make_asset("chair", location="HUB-A", wipe_certificate=None)
    seen = client.get(f"/api/v1/assets/{chair.tag}", headers=world.headers["partner"]).json
    assert set(seen) == {"tag", "type", "make", "model", "condition", "programme", "location", "status", "kit"}
    assert client.get(f"/api/v1/assets/{chair.tag}/history", headers=world.headers["partner"]).status_code == 403
