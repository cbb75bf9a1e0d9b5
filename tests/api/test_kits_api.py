"""Kits over HTTP."""


def test_build_look_up_move_and_take_apart(client, world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    headers = world.headers["warehouse"]
    r = client.post("/api/v1/kits", json={"items": [tablet.tag, sim.tag], "template": "DII-TABLET"}, headers=headers)
    assert r.status_code == 201
    kit = r.json
    assert kit["status"] == "assembled" and kit["location"] == "WH-MAIN" and kit["template"] == "DII-TABLET"
    assert client.get(f"/api/v1/kits/{kit['tag']}", headers=world.headers["advocate"]).json == kit
    moved = client.post(f"/api/v1/kits/{kit['tag']}/move", json={"location": "BUS-1"}, headers=headers).json
    assert moved["location"] == "BUS-1"
    assert client.get(f"/api/v1/assets/{sim.tag}", headers=headers).json["location"] == "BUS-1"
    gone = client.delete(f"/api/v1/kits/{kit['tag']}", headers=headers)
    assert gone.status_code == 200 and gone.json["status"] == "dismantled"
    assert client.get(f"/api/v1/assets/{tablet.tag}", headers=headers).json["status"] == "in_stock"
    history = client.get(f"/api/v1/kits/{kit['tag']}/history", headers=headers).json
    assert [e["action"] for e in history] == ["assemble", "move", "dismantle"]


def test_a_template_mismatch_is_422_and_says_what_is_missing(client, world, make_asset):
    tablet = make_asset("tablet")
    r = client.post(
        "/api/v1/kits", json={"items": [tablet.tag], "template": "DII-TABLET"}, headers=world.headers["warehouse"]
    )
    assert r.status_code == 422 and r.json["message"] == "The items do not make a DII-TABLET kit: missing 1 sim"


def test_kits_of_a_partners_own_hub_only(client, world, make_asset):
    a, b = make_asset("chair", location="HUB-B"), make_asset("desk", location="HUB-B")
    kit = client.post("/api/v1/kits", json={"items": [a.tag, b.tag]}, headers=world.headers["admin"]).json
    assert client.get(f"/api/v1/kits/{kit['tag']}", headers=world.headers["partner"]).status_code == 404
