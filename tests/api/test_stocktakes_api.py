"""Stocktakes through the API: what is frozen at opening, what scans count, what a partner sees, what
closing does (with its events), and the report."""

import io

import sqlalchemy as sa
from pypdf import PdfReader

from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, Event
from inventory.services import users
from tests.conftest import BASE_URL


def _open(client, headers, location="HUB-A"):
    r = client.post("/api/v1/stocktakes", json={"location": location}, headers=headers)
    assert r.status_code == 201, r.json
    return r.json


def _scan(client, headers, stocktake_id, *codes):
    return client.post(f"/api/v1/stocktakes/{stocktake_id}/scans", json={"codes": list(codes)}, headers=headers)


def _asset(tag) -> Asset:
    db.session.rollback()
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def _events(tag) -> list[Event]:
    asset = _asset(tag)
    return list(db.session.scalars(sa.select(Event).where(Event.asset_id == asset.id).order_by(Event.id)))


def _other_partner(world):
    with unit_of_work():
        user, _ = users.create_user(
            "partner-b@test.example", "partner", password="correct horse battery", organisation="PARTNER-B"
        )
        return {"Authorization": f"Bearer {users.create_token(user)}"}


def test_opening_freezes_what_is_held_there_and_nothing_else(client, world, make_asset, make_participant, issue):
    headers = world.headers["warehouse"]
    on_shelf = make_asset("chair", location="HUB-A")
    unwiped = make_asset("tablet", location="HUB-A", wipe_certificate=None)  # received, not yet in stock
    quarantined = make_asset("desk", location="HUB-A")
    client.post(f"/api/v1/assets/{quarantined.tag}/quarantine", json={}, headers=headers)
    kit_items = [make_asset("tablet", location="HUB-A").tag, make_asset("sim", location="HUB-A").tag]
    kit = client.post("/api/v1/kits", json={"items": kit_items}, headers=headers).json["tag"]
    lent = make_asset("chair", location="HUB-A")
    issue(make_participant(), lent.tag)
    make_asset("chair", location="HUB-B")
    make_asset("chair", location="WH-MAIN")

    opened = _open(client, headers)
    assert opened["status"] == "open" and opened["location"] == "HUB-A"
    assert sorted(opened["expected"]) == sorted([on_shelf.tag, unwiped.tag, quarantined.tag, *kit_items])
    assert opened["counts"] == {"expected": 5, "found": 0, "missing": 5, "unexpected": 0}
    assert kit not in opened["expected"]  # kits are counted by their items

    # What arrives after the count opened is not expected: the list is frozen.
    late = make_asset("chair", location="HUB-A")
    seen = client.get(f"/api/v1/stocktakes/{opened['id']}", headers=headers).json
    assert late.tag not in seen["expected"] and len(seen["expected"]) == 5


def test_one_count_at_a_time_per_location(client, world):
    headers = world.headers["warehouse"]
    first = _open(client, headers)
    again = client.post("/api/v1/stocktakes", json={"location": "hub-a"}, headers=world.headers["admin"])
    assert again.status_code == 409
    assert f"Stocktake {first['id']} is already open at HUB-A" in again.json["message"]
    assert _open(client, headers, "HUB-B")["id"] != first["id"]  # another place: its own count


def test_scans_accept_tags_urls_serials_imeis_and_iccids_and_repeats_are_harmless(client, world, make_asset):
    headers = world.headers["warehouse"]
    by_tag, by_url = make_asset("chair", location="HUB-A"), make_asset("chair", location="HUB-A")
    by_serial = make_asset("laptop", location="HUB-A")
    by_imei = make_asset("tablet", location="HUB-A", imei="356938035643809")
    sim = make_asset("sim", location="HUB-A")
    not_scanned = make_asset("desk", location="HUB-A")
    stocktake = _open(client, headers)["id"]

    r = _scan(
        client,
        headers,
        stocktake,
        f"  {by_tag.tag.lower()} ",
        f"{BASE_URL}/A/{by_url.tag}",
        by_serial.serial.lower(),
        "35-693803-564380-9",
        sim.iccid + "F",
    )
    assert r.status_code == 200, r.json
    assert [x["outcome"] for x in r.json["results"]] == ["found"] * 5
    assert [x["tag"] for x in r.json["results"]] == [by_tag.tag, by_url.tag, by_serial.tag, by_imei.tag, sim.tag]
    assert r.json["counts"] == {"expected": 6, "found": 5, "missing": 1, "unexpected": 0}

    again = _scan(client, headers, stocktake, by_tag.tag, by_tag.tag)
    assert [x["outcome"] for x in again.json["results"]] == ["repeat", "repeat"]
    seen = client.get(f"/api/v1/stocktakes/{stocktake}", headers=headers).json
    assert seen["missing"] == [not_scanned.tag]
    assert sorted(seen["found"]) == sorted([by_tag.tag, by_url.tag, by_serial.tag, by_imei.tag, sim.tag])
    assert seen["counts"]["found"] == 5


def test_a_kit_label_counts_the_kit_s_items(client, world, make_asset):
    headers = world.headers["warehouse"]
    items = [make_asset("tablet", location="HUB-A").tag, make_asset("sim", location="HUB-A").tag]
    kit = client.post("/api/v1/kits", json={"items": items}, headers=headers).json["tag"]
    stocktake = _open(client, headers)["id"]
    r = _scan(client, headers, stocktake, kit)
    assert sorted(x["tag"] for x in r.json["results"]) == sorted(items)
    assert r.json["counts"]["missing"] == 0


def test_a_code_that_names_nothing_refuses_the_whole_scan_and_says_which(client, world, make_asset):
    headers = world.headers["warehouse"]
    chair = make_asset("chair", location="HUB-A")
    stocktake = _open(client, headers)["id"]
    mistyped = chair.tag[:-1] + ("A" if chair.tag[-1] != "A" else "B")
    r = _scan(client, headers, stocktake, chair.tag, "NO-SUCH-SERIAL", mistyped)
    assert r.status_code == 422
    assert set(r.json["errors"]["codes"]) == {"1", "2"}
    assert "NO-SUCH-SERIAL" in r.json["errors"]["codes"]["1"][0]
    assert "nothing was recorded" in r.json["message"]
    assert client.get(f"/api/v1/stocktakes/{stocktake}", headers=headers).json["found"] == []
    assert _scan(client, headers, stocktake).status_code == 422  # no codes at all
    assert _scan(client, headers, stocktake, "x" * 301).status_code == 422


def test_a_partner_counts_its_hub_and_sees_only_tag_and_type_of_what_is_recorded_elsewhere(client, world, make_asset):
    partner, admin = world.headers["partner"], world.headers["admin"]
    here = make_asset("chair", location="HUB-A")
    from_warehouse = make_asset("tablet", location="WH-MAIN")
    stocktake = _open(client, partner)["id"]
    r = _scan(client, partner, stocktake, here.tag, from_warehouse.serial)
    assert [x["outcome"] for x in r.json["results"]] == ["found", "unexpected"]

    seen = client.get(f"/api/v1/stocktakes/{stocktake}", headers=partner).json
    assert seen["unexpected"] == [from_warehouse.tag]
    assert seen["unexpected_items"] == [
        {
            "tag": from_warehouse.tag,
            "type": "tablet",
            "status": None,
            "location": None,
            "outcome": None,
            "outcome_note": None,
        }
    ]
    staff = client.get(f"/api/v1/stocktakes/{stocktake}", headers=admin).json["unexpected_items"][0]
    assert (staff["status"], staff["location"]) == ("in_stock", "WH-MAIN")


def test_closing_marks_the_missing_and_moves_the_unexpected_here_each_with_an_event(client, world, make_asset):
    headers = world.headers["partner"]
    found, lost = make_asset("chair", location="HUB-A"), make_asset("desk", location="HUB-A")
    stray = make_asset("tablet", location="WH-MAIN")
    stocktake = _open(client, headers)["id"]
    _scan(client, headers, stocktake, found.tag, stray.tag)

    r = client.post(
        f"/api/v1/stocktakes/{stocktake}/close",
        json={"missing": "mark_missing", "unexpected": "move_here"},
        headers=headers,
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "closed" and r.json["closed_at"]
    assert {(o["tag"], o["outcome"]) for o in r.json["outcomes"]} == {
        (lost.tag, "marked_missing"),
        (stray.tag, "moved_here"),
    }
    assert (_asset(lost.tag).status, _asset(lost.tag).location.code) == (AssetStatus.MISSING, "HUB-A")
    assert (_asset(stray.tag).status, _asset(stray.tag).location.code) == (AssetStatus.IN_STOCK, "HUB-A")
    assert (_asset(found.tag).status, _asset(found.tag).location.code) == (AssetStatus.IN_STOCK, "HUB-A")
    missing_event, move_event = _events(lost.tag)[-1], _events(stray.tag)[-1]
    assert (missing_event.action, missing_event.from_status, missing_event.to_status) == (
        "missing",
        "in_stock",
        "missing",
    )
    assert missing_event.details == {"stocktake": stocktake}
    assert move_event.action == "move" and move_event.details == {"stocktake": stocktake}
    assert (move_event.from_location.code, move_event.to_location.code) == ("WH-MAIN", "HUB-A")
    assert move_event.actor_id == world.people["partner"].user.id
    assert len(_events(found.tag)) == 1  # found where it should be: nothing changed, nothing written

    # Closed is closed: no more scans, no second close; a new count may start.
    assert _scan(client, headers, stocktake, found.tag).status_code == 409
    again = client.post(
        f"/api/v1/stocktakes/{stocktake}/close", json={"missing": "leave", "unexpected": "leave"}, headers=headers
    )
    assert again.status_code == 409
    second = _open(client, headers)
    assert lost.tag in second["expected"]  # missing, last seen here: expected at the next count

    # Found at the next count: back in stock, with its event.
    _scan(client, headers, second["id"], lost.tag)
    client.post(
        f"/api/v1/stocktakes/{second['id']}/close", json={"missing": "leave", "unexpected": "leave"}, headers=headers
    )
    assert _asset(lost.tag).status == AssetStatus.IN_STOCK
    assert _events(lost.tag)[-1].action == "found"


def test_leave_changes_nothing_and_what_changed_since_opening_is_left_with_its_reason(
    client, world, make_asset, make_participant, issue
):
    headers = world.headers["warehouse"]
    issued_since, moved_since = make_asset("chair", location="HUB-A"), make_asset("desk", location="HUB-A")
    on_loan_elsewhere = make_asset("chair", location="WH-MAIN")
    stocktake = _open(client, headers)["id"]
    issue(make_participant(), on_loan_elsewhere.tag)
    _scan(client, headers, stocktake, on_loan_elsewhere.tag)
    issue(make_participant(), issued_since.tag)
    client.post(f"/api/v1/assets/{moved_since.tag}/move", json={"location": "HUB-B"}, headers=headers)

    r = client.post(
        f"/api/v1/stocktakes/{stocktake}/close",
        json={"missing": "mark_missing", "unexpected": "move_here"},
        headers=headers,
    )
    outcomes = {o["tag"]: o for o in r.json["outcomes"]}
    assert outcomes[issued_since.tag]["outcome"] == "left"
    assert "loan" in outcomes[issued_since.tag]["note"]
    assert outcomes[moved_since.tag]["outcome"] == "left" and "HUB-B" in outcomes[moved_since.tag]["note"]
    assert outcomes[on_loan_elsewhere.tag]["outcome"] == "left"
    assert _asset(issued_since.tag).status == AssetStatus.ON_LOAN
    assert _asset(moved_since.tag).location.code == "HUB-B"
    assert _asset(on_loan_elsewhere.tag).status == AssetStatus.ON_LOAN

    bad = client.post(
        f"/api/v1/stocktakes/{stocktake}/close", json={"missing": "burn", "unexpected": "leave"}, headers=headers
    )
    assert bad.status_code == 422 and "missing" in bad.json["errors"]["json"]


def test_a_whole_kit_found_elsewhere_moves_here_with_its_kit(client, world, make_asset):
    headers = world.headers["warehouse"]
    items = [make_asset("tablet").tag, make_asset("sim").tag]
    kit = client.post("/api/v1/kits", json={"items": items}, headers=headers).json["tag"]
    half = [make_asset("tablet").tag, make_asset("sim").tag]
    client.post("/api/v1/kits", json={"items": half}, headers=headers)
    stocktake = _open(client, headers)["id"]
    _scan(client, headers, stocktake, kit, half[0])
    r = client.post(
        f"/api/v1/stocktakes/{stocktake}/close", json={"missing": "leave", "unexpected": "move_here"}, headers=headers
    )
    outcomes = {o["tag"]: o["outcome"] for o in r.json["outcomes"]}
    assert outcomes == {items[0]: "moved_here", items[1]: "moved_here", half[0]: "left"}
    assert client.get(f"/api/v1/kits/{kit}", headers=headers).json["location"] == "HUB-A"
    assert _asset(half[0]).location.code == "WH-MAIN"


def test_a_partner_of_another_organisation_can_do_nothing_with_the_count(client, world, make_asset):
    chair = make_asset("chair", location="HUB-A")
    stocktake = _open(client, world.headers["partner"])["id"]
    other = _other_partner(world)
    for method, path, body in (
        ("GET", f"/api/v1/stocktakes/{stocktake}", None),
        ("POST", f"/api/v1/stocktakes/{stocktake}/scans", {"codes": [chair.tag]}),
        ("POST", f"/api/v1/stocktakes/{stocktake}/close", {"missing": "mark_missing", "unexpected": "leave"}),
        ("GET", f"/api/v1/stocktakes/{stocktake}/report", None),
    ):
        r = client.open(path, method=method, json=body, headers=other)
        assert r.status_code == 404, (method, path)
        assert r.json["message"] == f"No stocktake has id {stocktake}"
    assert client.post("/api/v1/stocktakes", json={"location": "HUB-A"}, headers=other).status_code == 404
    assert client.get("/api/v1/stocktakes", headers=other).json == []
    assert client.get(f"/api/v1/stocktakes/{stocktake}", headers=world.headers["partner"]).json["found"] == []
    assert client.get("/api/v1/stocktakes", headers=world.headers["advocate"]).status_code == 403


def test_the_report_is_a_pdf_that_lists_what_was_missing_and_unexpected(client, world, make_asset):
    headers = world.headers["warehouse"]
    found, lost = make_asset("chair", location="HUB-A"), make_asset("desk", location="HUB-A")
    stray = make_asset("tablet", location="WH-MAIN")
    stocktake = _open(client, headers)["id"]
    _scan(client, headers, stocktake, found.tag, stray.tag)
    client.post(
        f"/api/v1/stocktakes/{stocktake}/close",
        json={"missing": "mark_missing", "unexpected": "move_here"},
        headers=headers,
    )
    r = client.get(f"/api/v1/stocktakes/{stocktake}/report", headers=headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert f"Stocktake {stocktake}: HUB-A" in text
    assert "Missing: expected and not found (1)" in text and lost.tag in text and "marked missing" in text
    assert "Unexpected: found here, recorded otherwise (1)" in text and stray.tag in text and "WH-MAIN" in text
    assert "Found as expected (1)" in text and found.tag in text


def test_the_list_says_where_and_when(client, world):
    headers = world.headers["admin"]
    first = _open(client, headers)["id"]
    client.post(f"/api/v1/stocktakes/{first}/close", json={"missing": "leave", "unexpected": "leave"}, headers=headers)
    second = _open(client, headers, "HUB-B")["id"]
    listed = client.get("/api/v1/stocktakes", headers=headers).json
    assert [(s["id"], s["location"], s["status"]) for s in listed] == [
        (second, "HUB-B", "open"),
        (first, "HUB-A", "closed"),
    ]
    assert [s["id"] for s in client.get("/api/v1/stocktakes?status=open", headers=headers).json] == [second]
    assert [s["id"] for s in client.get("/api/v1/stocktakes", headers=world.headers["partner"]).json] == [first]
