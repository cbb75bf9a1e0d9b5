"""The hub logistics pages: a partner asks for stock, an admin approves against what is in stock, the
warehouse packs by scanning (each refusal with its reason), the partner receives by scanning (JSON rows
for the station's sounds) and closes it short. The same services as the API; a partner of another
organisation sees none of it."""

from __future__ import annotations

import re

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Asset, Consignment, StockRequest
from inventory.services import kits, users
from tests.web.conftest import csrf_from, new_request_context, sign_in

JSON = {"Accept": "application/json"}


def _status(tag):
    db.session.expire_all()
    return db.session.scalar(sa.select(Asset.status).where(Asset.tag == tag)).value


def test_request_approve_pack_dispatch_receive_short_and_close_through_the_pages(client, world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET").tag
    elsewhere = make_asset("chair", location="HUB-B").tag

    sign_in(client, "partner@test.example")
    page = client.get("/hub")
    assert page.status_code == 200 and "Nothing on its way to your hubs" in page.get_data(as_text=True)
    asked = client.post(
        "/hub/requests",
        data={"csrf_token": csrf_from(page), "location": "HUB-A", "template": "DII-TABLET", "template_count": "2"},
        follow_redirects=True,
    )
    assert "sent for HUB-A" in asked.get_data(as_text=True)
    request_id = db.session.scalar(sa.select(StockRequest.id))

    new_request_context()
    sign_in(client, "admin@test.example")
    page = client.get("/stock-requests")
    text = page.get_data(as_text=True)
    # The hub by name and the status in words, as a tag in the request's heading.
    assert re.search(
        rf'>Request {request_id} for North End \(HUB-A\) <strong class="govuk-tag[^"]*">Requested</strong></h2>', text
    )
    # Against stock: one DII-TABLET kit ready at the warehouse, none at the hub.
    assert 'value="1" inputmode="numeric"' in text
    client.post(
        f"/stock-requests/{request_id}/decide",
        data={"csrf_token": csrf_from(page), "decision": "approve", "approved": "1"},
    )
    assert db.session.get(StockRequest, request_id).status.value == "approved"

    new_request_context()
    sign_in(client, "warehouse@test.example")
    page = client.get("/consignments")
    started = client.post(
        "/consignments",
        data={"csrf_token": csrf_from(page), "from": "WH-MAIN", "to": "HUB-A", "request": str(request_id)},
    )
    box = db.session.scalar(sa.select(Consignment.tag))
    assert started.headers["Location"].endswith(f"/consignments/{box}/pack")
    page = client.get(f"/consignments/{box}/pack")
    assert "Still to pack: 1 DII-TABLET" in page.get_data(as_text=True)
    token = csrf_from(page)
    refused = client.post(f"/consignments/{box}/pack", data={"csrf_token": token, "code": elsewhere}, headers=JSON)
    assert (
        refused.json["row"]["outcome"] == "wrong_state"
        and "is at HUB-B, not at WH-MAIN" in refused.json["row"]["message"]
    )
    packed = client.post(f"/consignments/{box}/pack", data={"csrf_token": token, "code": kit}, headers=JSON).json
    assert packed["row"]["outcome"] == "ok" and "everything the request needs is here" in packed["summary"]
    again = client.post(f"/consignments/{box}/pack", data={"csrf_token": token, "code": kit}, headers=JSON).json
    assert again["row"]["outcome"] == "repeat"
    client.post(f"/consignments/{box}/dispatch", data={"csrf_token": token})
    assert _status(tablet.tag) == "in_transit" and _status(sim.tag) == "in_transit"
    pdf = client.get(f"/consignments/{box}/packing-list.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    new_request_context()
    sign_in(client, "partner@test.example")
    page = client.get("/hub")
    assert f"Receive {box}" in page.get_data(as_text=True)
    page = client.get(f"/consignments/{box}/receive")
    token = csrf_from(page)
    # A phone camera reads the label URL; a wedge scanner types the serial.
    got = client.post(f"/consignments/{box}/receive", data={"csrf_token": token, "code": tablet.serial}, headers=JSON)
    assert got.json["row"]["outcome"] == "ok" and got.json["status"] == "part_received"
    assert got.json["summary"] == "1 of 2 received; 1 still to come."
    stray = client.post(f"/consignments/{box}/receive", data={"csrf_token": token, "code": elsewhere}, headers=JSON)
    assert stray.json["row"]["outcome"] == "wrong_state" and "not on this consignment" in stray.json["row"]["message"]
    assert _status(tablet.tag) == "in_kit" and _status(sim.tag) == "in_transit" and _status(elsewhere) == "in_stock"
    client.post(f"/consignments/{box}/close", data={"csrf_token": token})
    assert _status(sim.tag) == "missing"
    assert db.session.scalar(sa.select(Consignment.status)).value == "closed"


def test_the_scan_station_offers_the_box_jobs_and_a_box_label_opens_its_page(client, world):
    sign_in(client, "warehouse@test.example")
    assert client.get("/scan?mode=pack").headers["Location"].endswith("/consignments/scan?job=pack")
    page = client.get("/consignments")
    client.post("/consignments", data={"csrf_token": csrf_from(page), "from": "WH-MAIN", "to": "HUB-A"})
    box = db.session.scalar(sa.select(Consignment.tag))
    opened = client.post(
        "/consignments/scan",
        data={"csrf_token": csrf_from(page), "job": "pack", "code": f"https://kit.example.org/a/{box}"},
    )
    assert opened.headers["Location"].endswith(f"/consignments/{box}/pack")
    assert client.get(f"/a/{box}").headers["Location"].endswith(f"/consignments/{box}")


def test_a_partner_of_another_organisation_sees_no_page_of_it(client, world, make_asset):
    with unit_of_work():
        users.create_user("b@test.example", "partner", password="correct horse battery", organisation="PARTNER-B")
    sign_in(client, "warehouse@test.example")
    page = client.get("/consignments")
    client.post("/consignments", data={"csrf_token": csrf_from(page), "from": "WH-MAIN", "to": "HUB-A"})
    box = db.session.scalar(sa.select(Consignment.tag))
    new_request_context()
    sign_in(client, "b@test.example")
    assert client.get(f"/consignments/{box}").status_code == 404
    assert client.get(f"/consignments/{box}/receive").status_code == 404
    assert client.get(f"/consignments/{box}/packing-list.pdf").status_code == 404
    assert client.get("/consignments").status_code == 403
    assert client.get("/stock-requests").status_code == 200 and "No requests" in client.get("/stock-requests").get_data(
        as_text=True
    )


def test_a_partner_takes_back_an_item_on_loan_from_its_page_and_is_told_not_at_your_hubs_otherwise(
    client, world, make_asset, make_participant, issue
):
    lent, shelved = make_asset("tablet"), make_asset("tablet")
    issue(make_participant(), lent.tag)
    sign_in(client, "partner@test.example")
    page = client.get(f"/a/{lent.tag}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "On loan" in text  # its status, in words
    assert "Person" not in text and "REF-" not in text  # nothing about whom
    client.post(f"/a/{lent.tag}/return", data={"csrf_token": csrf_from(page), "location": "HUB-A"})
    assert _status(lent.tag) == "quarantine"
    assert db.session.scalar(sa.select(Asset.location_id).where(Asset.tag == lent.tag)) == world.hub_a.id
    elsewhere = client.get(f"/a/{shelved.tag}")
    assert elsewhere.status_code == 404 and f"{shelved.tag} is not at your hubs" in elsewhere.get_data(as_text=True)
    assert "WH-MAIN" not in elsewhere.get_data(as_text=True)


def test_a_partner_prints_a_replacement_label_for_a_hub_roll_from_an_items_page(client, world, make_asset):
    import io

    import pypdfium2 as pdfium
    import zxingcpp

    chair = make_asset("chair", location="HUB-A")
    sign_in(client, "partner@test.example")
    page = client.get(f"/a/{chair.tag}").get_data(as_text=True)
    link = f"/a/{chair.tag}/label.pdf?printer=brother-dk11209"
    assert link in page
    pdf = client.get(link)
    doc = pdfium.PdfDocument(io.BytesIO(pdf.data))
    image = doc[0].render(scale=300 / 72).to_pil()
    doc.close()
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [f"HTTPS://KIT.EXAMPLE.ORG/A/{chair.tag}"]
    assert client.get(f"/a/{make_asset('chair').tag}/label.pdf").status_code == 404  # at the warehouse
