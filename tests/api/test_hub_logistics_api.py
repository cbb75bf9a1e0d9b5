"""Hub logistics through the API: stock requests, consignments packed, dispatched, received and closed,
box labels that scan, and partners confined to their own hubs."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa

from inventory import tags
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, Event, Kit
from inventory.services import kits, users
from tests.conftest import BASE_URL


@pytest.fixture
def kit_of(world, make_asset):
    """A DII-TABLET kit (tablet + SIM) built at a location."""

    def make(location="WH-MAIN"):
        tablet, sim = make_asset("tablet", location=location), make_asset("sim", location=location)
        with unit_of_work():
            return kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET").tag

    return make


def post(client, headers, path, body=None):
    return client.post(f"/api/v1{path}", json=body or {}, headers=headers)


def asset(tag):
    db.session.expire_all()
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def events(tag, action):
    return db.session.scalars(
        sa.select(Event).join(Asset, Asset.id == Event.asset_id).where(Asset.tag == tag, Event.action == action)
    ).all()


def request_two_kits(client, world):
    r = post(
        client,
        world.headers["partner"],
        "/stock-requests",
        {"location": "HUB-A", "lines": [{"template": "DII-TABLET", "count": 2}], "needed_by": "2099-01-31"},
    )
    assert r.status_code == 201, r.json
    return r.json


def test_a_partner_asks_for_kits_and_an_admin_approves_part_of_it(client, world):
    made = request_two_kits(client, world)
    assert made["status"] == "requested" and made["location"] == "HUB-A"
    assert made["lines"] == [
        {"template": "DII-TABLET", "type": None, "count": 2, "approved": None, "sent": 0, "received": 0}
    ]
    r = post(client, world.headers["admin"], f"/stock-requests/{made['id']}/approve", {"lines": [{"approved": 1}]})
    assert r.status_code == 200 and r.json["status"] == "approved" and r.json["lines"][0]["approved"] == 1
    again = post(client, world.headers["admin"], f"/stock-requests/{made['id']}/decline", {"reason": "late"})
    assert again.status_code == 409 and "approved" in again.json["message"]
    listed = client.get("/api/v1/stock-requests?status=approved", headers=world.headers["warehouse"]).json
    assert [x["id"] for x in listed] == [made["id"]]


def test_request_input_is_checked_line_by_line(client, world):
    headers = world.headers["partner"]
    r = post(client, headers, "/stock-requests", {"location": "HUB-A", "lines": [{"template": "NOPE", "count": 1}]})
    assert r.status_code == 422 and r.json["errors"] == {
        "lines": {"0": {"template": ["No kit template has code 'NOPE'."]}}
    }
    r = post(
        client,
        headers,
        "/stock-requests",
        {"location": "HUB-A", "lines": [{"type": "tablet", "template": "X", "count": 1}]},
    )
    assert r.status_code == 422 and "lines" in r.json["errors"]["json"]
    r = post(
        client,
        headers,
        "/stock-requests",
        {"location": "HUB-A", "lines": [{"type": "sim", "count": 2}], "needed_by": "2020-01-01"},
    )
    assert r.status_code == 422 and "needed_by" in r.json["errors"]
    made = post(client, headers, "/stock-requests", {"location": "HUB-A", "lines": [{"type": "sim", "count": 2}]}).json
    too_many = post(
        client, world.headers["admin"], f"/stock-requests/{made['id']}/approve", {"lines": [{"approved": 3}]}
    )
    assert too_many.status_code == 422 and "At most 2" in too_many.json["message"]
    declined = post(client, world.headers["admin"], f"/stock-requests/{made['id']}/decline", {"reason": "None spare"})
    assert declined.json["status"] == "declined" and declined.json["decline_reason"] == "None spare"


def test_partners_ask_only_for_their_own_hubs_and_never_decide(client, world):
    headers = world.headers["partner"]
    r = post(client, headers, "/stock-requests", {"location": "HUB-B", "lines": [{"type": "sim", "count": 1}]})
    assert r.status_code == 403 and "not one of your hubs" in r.json["message"]
    made = request_two_kits(client, world)
    assert post(client, headers, f"/stock-requests/{made['id']}/approve").status_code == 403
    assert (
        post(
            client,
            world.headers["warehouse"],
            "/stock-requests",
            {"location": "HUB-A", "lines": [{"type": "sim", "count": 1}]},
        ).status_code
        == 403
    )


def test_the_whole_trip_request_pack_dispatch_receive_short_then_close(client, world, make_asset, kit_of):
    made = request_two_kits(client, world)
    post(client, world.headers["admin"], f"/stock-requests/{made['id']}/approve", {"lines": [{"approved": 1}]})
    kit = kit_of()
    wh = world.headers["warehouse"]
    box = post(client, wh, "/consignments", {"to": "HUB-A", "from": "WH-MAIN", "request": made["id"]})
    assert box.status_code == 201, box.json
    box = box.json
    assert box["status"] == "packing" and box["items"] == [] and box["from"] == "WH-MAIN" and box["to"] == "HUB-A"
    assert box["outstanding"] == [{"template": "DII-TABLET", "count": 1}]
    scanned = client.get("/api/v1/scan", query_string={"code": box["tag"]}, headers=wh).json
    assert scanned["kind"] == "consignment" and scanned["status"] == "packing"
    assert scanned["actions"] == ["pack", "dispatch"]

    packed = post(client, wh, f"/consignments/{box['tag']}/items", {"items": [kit]})
    assert packed.status_code == 200, packed.json
    items = packed.json["items"]
    assert len(items) == 2 and packed.json["kits"] == [kit] and packed.json["outstanding"] == []
    sent = post(client, wh, f"/consignments/{box['tag']}/dispatch")
    assert sent.status_code == 200 and sent.json["status"] == "in_transit"
    assert {asset(t).status.value for t in items} == {"in_transit"}
    assert db.session.scalar(sa.select(Kit.status).where(Kit.tag == kit)).value == "in_transit"
    assert client.get(f"/api/v1/stock-requests/{made['id']}", headers=wh).json["status"] == "sent"

    # At the hub: the tablet arrives, the SIM does not; a stranger's chair is scanned too.
    stranger = make_asset("chair", location="HUB-A")
    tablet, sim = items
    got = post(
        client, world.headers["partner"], f"/consignments/{box['tag']}/receive", {"items": [tablet, stranger.tag]}
    )
    assert got.status_code == 200, got.json
    assert got.json["status"] == "part_received"
    assert got.json["received"] == [tablet] and got.json["short"] == [sim] and got.json["unexpected"] == [stranger.tag]
    assert asset(tablet).status.value == "in_kit" and asset(tablet).location.code == "HUB-A"
    assert asset(sim).status.value == "in_transit" and asset(stranger.tag).status.value == "in_stock"
    assert len(events(tablet, "arrive")) == 1 and events(stranger.tag, "arrive") == []
    shortfalls = client.get("/api/v1/consignments?status=part_received", headers=wh).json
    assert [(c["tag"], [i["tag"] for i in c["contents"] if i["outcome"] is None]) for c in shortfalls] == [
        (box["tag"], [sim])
    ]

    closed = post(client, world.headers["partner"], f"/consignments/{box['tag']}/close", {"short": "missing"})
    assert closed.status_code == 200 and closed.json["status"] == "closed" and closed.json["short"] == []
    lost = asset(sim)
    assert lost.status.value == "missing" and lost.kit_id is None and len(events(sim, "missing")) == 1
    the_kit = db.session.scalar(sa.select(Kit).where(Kit.tag == kit))
    assert the_kit.status.value == "assembled" and the_kit.location.code == "HUB-A"
    assert [a.tag for a in the_kit.items] == [tablet]
    request = client.get(f"/api/v1/stock-requests/{made['id']}", headers=world.headers["partner"]).json
    assert request["status"] == "received" and request["lines"][0]["sent"] == 1


def test_a_later_receive_adds_the_rest_and_damaged_items_wait_in_quarantine_there(client, world, make_asset):
    wh = world.headers["warehouse"]
    one, two, three = (make_asset("tablet").tag for _ in range(3))
    box = post(client, wh, "/consignments", {"to": "HUB-A", "from": "WH-MAIN"}).json
    assert box["outstanding"] is None
    post(client, wh, f"/consignments/{box['tag']}/items", {"items": [one, two, three]})
    post(client, wh, f"/consignments/{box['tag']}/dispatch")
    first = post(client, wh, f"/consignments/{box['tag']}/receive", {"items": [one], "damaged": [two]}).json
    assert first["status"] == "part_received" and first["short"] == [three]
    assert asset(two).status.value == "quarantine" and asset(two).location.code == "HUB-A"
    again = post(client, wh, f"/consignments/{box['tag']}/receive", {"items": [one, three]}).json
    assert (
        again["status"] == "received"
        and again["short"] == []
        and sorted(again["received"]) == sorted([one, two, three])
    )
    assert len(events(one, "arrive")) == 1  # scanned twice, received once
    assert post(client, wh, f"/consignments/{box['tag']}/receive", {"items": [one]}).status_code == 409


def test_packing_refuses_what_is_not_in_stock_at_the_source_naming_each(client, world, make_asset, kit_of):
    wh = world.headers["warehouse"]
    elsewhere = make_asset("chair", location="HUB-B").tag
    in_a_kit = kit_of()
    kit_item = db.session.scalar(sa.select(Kit).where(Kit.tag == in_a_kit)).items[0].tag
    box = post(client, wh, "/consignments", {"to": "HUB-A", "from": "WH-MAIN"}).json
    r = post(client, wh, f"/consignments/{box['tag']}/items", {"items": [elsewhere, kit_item]})
    assert r.status_code == 409
    assert f"{elsewhere} (chair) is at HUB-B, not at WH-MAIN" in r.json["message"]
    assert f"is in kit {in_a_kit}: pack the kit" in r.json["message"]
    assert client.get(f"/api/v1/consignments/{box['tag']}", headers=wh).json["items"] == []
    ok = make_asset("tablet").tag
    post(client, wh, f"/consignments/{box['tag']}/items", {"items": [ok]})
    other = post(client, wh, "/consignments", {"to": "HUB-B", "from": "WH-MAIN"}).json
    twice = post(client, wh, f"/consignments/{other['tag']}/items", {"items": [ok]})
    assert twice.status_code == 409 and f"already packed in consignment {box['tag']}" in twice.json["message"]
    out = client.delete(f"/api/v1/consignments/{box['tag']}/items/{ok}", headers=wh)
    assert out.status_code == 200 and out.json["items"] == []
    assert post(client, wh, f"/consignments/{box['tag']}/dispatch").status_code == 409  # empty


def test_the_packing_list_is_a_pdf_naming_every_item(client, world, make_asset):
    wh = world.headers["warehouse"]
    tablet = make_asset("tablet")
    box = post(client, wh, "/consignments", {"to": "HUB-A", "from": "WH-MAIN"}).json
    post(client, wh, f"/consignments/{box['tag']}/items", {"items": [tablet.tag]})
    r = client.get(f"/api/v1/consignments/{box['tag']}/packing-list", headers=wh)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    doc = pdfium.PdfDocument(io.BytesIO(r.data))
    text = doc[0].get_textpage().get_text_range()
    doc.close()
    assert f"consignment {box['tag']}" in text and tablet.tag in text and tablet.serial in text
    assert "WH-MAIN" in text and "HUB-A" in text


def test_a_partner_of_another_organisation_can_do_none_of_it(client, world, make_asset):
    with unit_of_work():
        other, _ = users.create_user(
            "b@test.example", "partner", password="correct horse battery", organisation="PARTNER-B"
        )
        headers = {"Authorization": f"Bearer {users.create_token(other)}"}
    mine = request_two_kits(client, world)
    wh = world.headers["warehouse"]
    tablet = make_asset("tablet").tag
    box = post(client, wh, "/consignments", {"to": "HUB-A", "from": "WH-MAIN"}).json
    post(client, wh, f"/consignments/{box['tag']}/items", {"items": [tablet]})
    post(client, wh, f"/consignments/{box['tag']}/dispatch")
    assert client.get(f"/api/v1/stock-requests/{mine['id']}", headers=headers).status_code == 404
    assert client.get("/api/v1/stock-requests", headers=headers).json == []
    assert client.get(f"/api/v1/consignments/{box['tag']}", headers=headers).status_code == 404
    assert post(client, headers, f"/consignments/{box['tag']}/receive", {"items": [tablet]}).status_code == 404
    assert post(client, headers, f"/consignments/{box['tag']}/close", {"short": "missing"}).status_code == 404
    assert post(client, headers, "/consignments", {"to": "HUB-B", "from": "WH-MAIN"}).status_code == 403
    scan = client.get("/api/v1/scan", query_string={"code": box["tag"]}, headers=headers)
    assert scan.status_code == 404 and scan.json["message"] == f"{box['tag']} is not at your hubs"
    assert client.get(f"/api/v1/labels/{box['tag']}.pdf", headers=headers).status_code == 404
    assert asset(tablet).status.value == "in_transit"


def test_a_partner_scanning_an_item_held_elsewhere_is_told_only_not_at_your_hubs(client, world, make_asset):
    tablet = make_asset("tablet")
    headers = world.headers["partner"]
    for code in (tablet.tag, tablet.serial, tags.tag_for_number(987_654)):
        r = client.get("/api/v1/scan", query_string={"code": code}, headers=headers)
        assert r.status_code == 404 and r.json["message"] == f"{code} is not at your hubs", code


def test_a_partner_takes_back_an_item_on_loan_at_their_hub_without_learning_whose(
    client, world, make_asset, make_participant, issue
):
    sim = make_asset("sim")
    issue(make_participant(), sim.tag)
    headers = world.headers["partner"]
    seen = client.get("/api/v1/scan", query_string={"code": sim.tag}, headers=headers).json
    assert seen["status"] == "on_loan" and seen["location"] is None and seen["actions"] == ["return"]
    elsewhere = post(client, headers, f"/assets/{sim.tag}/return", {"location": "HUB-B"})
    assert elsewhere.status_code == 403 and asset(sim.tag).status.value == "on_loan"
    back = post(client, headers, f"/assets/{sim.tag}/return", {"location": "HUB-A"})
    assert back.status_code == 200 and back.json == {"items": [sim.tag], "kits": []}
    assert asset(sim.tag).status.value == "quarantine" and asset(sim.tag).location.code == "HUB-A"
    loan_id = db.session.scalar(sa.text("SELECT loan_id FROM loan_items LIMIT 1"))
    assert post(client, headers, f"/loans/{loan_id}/return", {"location": "HUB-A"}).status_code == 403


@pytest.mark.parametrize("printer, size_mm", [("dymo-99012", (89, 36)), ("brother-dk11209", (62, 29))])
def test_box_and_replacement_labels_print_on_hub_rolls_and_decode(client, world, make_asset, printer, size_mm):
    import zxingcpp

    wh = world.headers["warehouse"]
    box = post(client, wh, "/consignments", {"to": "HUB-A", "from": "WH-MAIN"}).json
    chair = make_asset("chair", location="HUB-A")
    for tag, headers in (
        (box["tag"], world.headers["partner"]),
        (chair.tag, world.headers["partner"]),
        (box["tag"], wh),
    ):
        r = client.get(f"/api/v1/labels/{tag}.pdf", query_string={"printer": printer}, headers=headers)
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        doc = pdfium.PdfDocument(io.BytesIO(r.data))
        assert len(doc) == 1
        width, height = doc[0].get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == size_mm
        image = doc[0].render(scale=300 / 72).to_pil()
        doc.close()
        assert [c.text for c in zxingcpp.read_barcodes(image)] == [f"{BASE_URL.upper()}/A/{tag}"]
    zpl = client.get(f"/api/v1/labels/{box['tag']}.zpl", headers=wh)
    assert zpl.status_code == 200 and box["tag"] in zpl.get_data(as_text=True)
    bad = client.get(f"/api/v1/labels/{box['tag']}.pdf", query_string={"printer": "epson"}, headers=wh)
    assert bad.status_code == 422
