"""The found-device page: what a stranger who opens a label sees and may send, and what the warehouse gets."""

from __future__ import annotations

import re

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Event, FoundReport
from tests.web.conftest import csrf_from, sign_in


def test_signed_out_visitor_sees_the_programme_and_number_and_nothing_else(client, world, make_asset):
    with unit_of_work():
        world.dii.contact_phone = "0151 496 0000"
    tablet = make_asset("tablet", location="HUB-A")
    page = client.get(f"/a/{tablet.tag.lower()}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Digital Inclusion Initiative" in text and "0151 496 0000" in text
    assert 'href="tel:01514960000"' in text
    for secret in (tablet.serial, "HUB-A", "North End", "in_stock", "In stock", "Samsung", "History"):
        assert secret not in text
    assert f"/sign-in?next=/A/{tablet.tag}" in text.replace("%2F", "/")
    unknown = client.get("/a/ZZZZZZZ")
    assert unknown.status_code == 404 and "not one of ours" in unknown.get_data(as_text=True)


def test_a_report_is_stored_with_an_event_and_listed_for_the_warehouse(client, world, make_asset):
    tablet = make_asset("tablet")
    page = client.get(f"/a/{tablet.tag}")
    sent = client.post(
        f"/a/{tablet.tag}/found",
        data={"csrf_token": csrf_from(page), "where_found": "Bus stop on Lime Street", "contact": "07700 900999"},
    )
    assert sent.status_code == 200 and "Thank you" in sent.get_data(as_text=True)
    stored = db.session.scalar(sa.select(FoundReport))
    assert stored.tag == tablet.tag and stored.finder_contact == "07700 900999" and "Lime" in stored.where_found
    event = db.session.scalar(sa.select(Event).where(Event.action == "reported_found"))
    assert event.asset_id == tablet.id and "07700" not in (event.note or "") and "Lime" not in (event.note or "")
    # Without CSRF: refused, nothing stored.
    assert client.post(f"/a/{tablet.tag}/found", data={"where_found": "x"}).status_code == 400
    sign_in(client, "warehouse@test.example")
    listed = client.get("/found")
    assert "Bus stop on Lime Street" in listed.get_data(as_text=True)
    report_id = re.search(r"/found/(\d+)/dealt-with", listed.get_data(as_text=True)).group(1)
    done = client.post(f"/found/{report_id}/dealt-with", data={"csrf_token": csrf_from(listed)})
    assert done.status_code == 302
    assert "Lime Street" not in client.get("/found").get_data(as_text=True)


def test_empty_report_says_what_to_fill_in_and_reports_are_rate_limited(app, client, world, make_asset):
    tablet = make_asset("tablet")
    token = csrf_from(client.get(f"/a/{tablet.tag}"))
    empty = client.post(f"/a/{tablet.tag}/found", data={"csrf_token": token, "where_found": " "})
    assert empty.status_code == 422 and "Say where you found it" in empty.get_data(as_text=True)
    for n in range(app.config["FOUND_REPORTS_PER_HOUR"]):
        ok = client.post(f"/a/{tablet.tag}/found", data={"csrf_token": token, "where_found": f"Place {n}"})
        assert ok.status_code == 200
    refused = client.post(f"/a/{tablet.tag}/found", data={"csrf_token": token, "where_found": "Again"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(FoundReport)) == app.config["FOUND_REPORTS_PER_HOUR"]
    )


def test_partners_and_advocates_cannot_see_the_reports(client, world):
    sign_in(client, "partner@test.example")
    assert client.get("/found").status_code == 403


def test_staff_signing_in_from_the_found_page_come_back_to_the_asset(client, world, make_asset):
    tablet = make_asset("tablet")
    signed = sign_in(client, "warehouse@test.example", next_path=f"/A/{tablet.tag}")
    assert signed.headers["Location"] == f"/A/{tablet.tag}"
    assert tablet.serial in client.get(signed.headers["Location"]).get_data(as_text=True)
