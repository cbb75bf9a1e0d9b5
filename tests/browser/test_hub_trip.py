"""The hub trip in a real browser (issue 14's "done when", its logistics half): a partner asks for two tablet
kits, an admin approves one against what is in stock, the warehouse packs it by scanning the box label and then
the kit and dispatches it, and the partner receives it on a phone with one item short, then closes it, then
counts the hub and finds an item recorded at the warehouse (moved there at closing). Every status, location and
event is checked at each step; a partner of another organisation can do none of it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inventory.extensions import db, unit_of_work
from inventory.models import Asset, Consignment, Event, Kit, StockRequest
from inventory.services import kits, users
from tests.browser.conftest import PHONE, screenshot, sign_in

pytestmark = pytest.mark.slow


def stored(model, **where):
    db.session.rollback()  # this thread's snapshot predates the server's requests
    return db.session.scalar(sa.select(model).filter_by(**where))


def actions(tag):
    db.session.rollback()
    return [
        e.action
        for e in db.session.scalars(
            sa.select(Event).join(Asset, Asset.id == Event.asset_id).where(Asset.tag == tag).order_by(Event.id)
        )
    ]


def test_request_approve_pack_by_scanning_dispatch_receive_one_short(browser_page, world, make_asset):
    built = []
    for _ in range(2):
        tablet, sim = make_asset("tablet"), make_asset("sim")
        with unit_of_work():
            built.append(
                (kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET").tag, tablet.tag, sim.tag)
            )
    kit, tablet, sim = built[0]
    stray = make_asset("chair").tag  # recorded at the warehouse; it will turn up at the hub

    # The partner asks for two tablet kits for their hub.
    partner = browser_page(viewport=PHONE)
    sign_in(partner, "partner", "/hub")
    partner.get_by_label("Ready kits of the template").select_option("DII-TABLET")
    partner.get_by_label("How many kits").fill("2")
    partner.get_by_role("button", name="Send the request").click()
    expect(partner.get_by_text("sent for HUB-A")).to_be_visible()
    request = stored(StockRequest, location_id=world.hub_a.id)
    assert request.status.value == "requested"

    # The admin sees it against stock (two ready kits at the warehouse, none at the hub) and approves one.
    admin = browser_page()
    sign_in(admin, "admin", "/stock-requests")
    section = admin.locator(f"#request-{request.id}")
    expect(section.get_by_role("heading")).to_have_text(f"Request {request.id} for North End (HUB-A) Requested")
    expect(section.get_by_role("heading").locator(".govuk-tag")).to_have_text("Requested")
    line = section.locator("tr", has_text="DII-TABLET")
    expect(line.locator("td").nth(0)).to_have_text("2")  # asked for
    expect(line.locator("td").nth(1)).to_have_text("2")  # ready at the warehouse
    expect(line.locator("td").nth(2)).to_have_text("0")  # already at HUB-A
    section.get_by_label("Approve how many DII-TABLET").fill("1")
    section.get_by_role("button", name="Approve these counts").click()
    expect(admin.get_by_text(f"Request {request.id} approved.")).to_be_visible()
    assert stored(StockRequest, id=request.id).lines[0].approved == 1

    # The warehouse starts a consignment for it, then packs by scanning: the box label, then the kit.
    warehouse = browser_page()
    sign_in(warehouse, "warehouse", "/stock-requests")
    warehouse.get_by_role("button", name=f"Start a consignment for request {request.id}").click()
    box = stored(Consignment, request_id=request.id).tag
    expect(warehouse.locator("#box-summary")).to_have_text("0 item(s) packed. Still to pack: 1 DII-TABLET")
    warehouse.goto("/scan")
    warehouse.get_by_label("What are you doing?").select_option("pack")
    warehouse.get_by_label("Scan the box label first").fill(box)
    warehouse.get_by_label("Scan the box label first").press("Enter")
    warehouse.wait_for_load_state()  # its scripts, not the form's no-JavaScript post, take the scans
    code = warehouse.get_by_label("Scan or type each item or kit, then Enter")
    other_kit = built[1][0]
    code.fill(built[1][1])  # a tablet that is in the other kit: refused, with its reason
    code.press("Enter")
    expect(warehouse.locator("#outcome")).to_have_attribute("data-outcome", "wrong_state")
    expect(warehouse.locator("#outcome")).to_contain_text(f"is in kit {other_kit}: pack the kit")
    code.fill(kit.lower())
    code.press("Enter")
    expect(warehouse.locator("#outcome")).to_have_attribute("data-outcome", "ok")
    expect(warehouse.locator("#box-summary")).to_have_text("2 item(s) packed: everything the request needs is here.")
    screenshot(warehouse, "consignment-packing")
    warehouse.reload()
    warehouse.get_by_role("button", name="Dispatch it").click()
    expect(warehouse.get_by_text(f"Consignment {box} dispatched")).to_be_visible()
    assert {stored(Asset, tag=t).status.value for t in (tablet, sim)} == {"in_transit"}
    assert stored(Kit, tag=kit).status.value == "in_transit"
    assert stored(StockRequest, id=request.id).status.value == "sent"

    # At the hub, on a phone: the tablet arrives, the SIM does not.
    partner.goto("/hub")
    partner.get_by_role("link", name=f"Receive {box}").click()
    partner.wait_for_load_state()  # its scripts, not the form's no-JavaScript post, take the scans
    code = partner.get_by_label("Scan or type each item, then Enter")
    code.fill(tablet)
    code.press("Enter")
    expect(partner.locator("#outcome")).to_have_attribute("data-outcome", "ok")
    expect(partner.locator("#box-summary")).to_have_text("1 of 2 received; 1 still to come.")
    expect(partner.locator("[data-box-status]")).to_have_text("Part received")
    screenshot(partner, "consignment-receiving-phone")
    assert stored(Asset, tag=tablet).status.value == "in_kit" and stored(Asset, tag=tablet).location.code == "HUB-A"
    assert stored(Asset, tag=sim).status.value == "in_transit"

    # The warehouse sees the shortfall.
    warehouse.goto("/consignments")
    expect(warehouse.locator("#shortfalls")).to_contain_text(sim)

    # The partner closes it: what never came is missing.
    partner.reload()
    partner.get_by_role("button", name="Close it: what never came is missing").click()
    expect(partner.get_by_text(f"Consignment {box} closed.")).to_be_visible()
    assert stored(Asset, tag=sim).status.value == "missing"
    the_kit = stored(Kit, tag=kit)
    assert the_kit.status.value == "assembled" and the_kit.location.code == "HUB-A"
    assert actions(tablet) == ["receive", "kit", "pack", "dispatch", "arrive"]
    assert actions(sim) == ["receive", "kit", "pack", "dispatch", "missing"]
    assert stored(StockRequest, id=request.id).status.value == "received"

    # The partner counts HUB-A: the kit's label counts what is left of it, and a chair recorded at the
    # warehouse turns up; closing records it at the hub.
    partner.goto("/stocktakes")
    partner.get_by_label("Count a location").select_option("HUB-A")
    partner.get_by_role("button", name="Start the count").click()
    partner.wait_for_load_state()  # its scripts, not the form's no-JavaScript post, take the scans
    count_url = partner.url
    expect(partner.locator('[data-count="expected"]')).to_have_text("1")  # the tablet, in its kit
    code = partner.get_by_label("Scan or type a code, then Enter")
    code.fill(kit)
    code.press("Enter")
    expect(partner.locator("#outcome")).to_have_attribute("data-outcome", "found")
    code.fill(stray)
    code.press("Enter")
    expect(partner.locator("#outcome")).to_have_attribute("data-outcome", "unexpected")
    expect(partner.locator('[data-count="missing"]')).to_have_text("0")
    partner.get_by_label("Items found here but recorded elsewhere").select_option("move_here")
    partner.get_by_role("button", name="Close the stocktake").click()
    expect(partner.get_by_text("The stocktake is closed")).to_be_visible()
    found_chair = stored(Asset, tag=stray)
    assert (found_chair.status.value, found_chair.location.code) == ("in_stock", "HUB-A")
    assert actions(stray) == ["receive", "move"]
    assert stored(Asset, tag=tablet).status.value == "in_kit" and actions(tablet)[-1] == "arrive"

    # A partner of another organisation can do none of it.
    with unit_of_work():
        users.create_user("other@test.example", "partner", password="correct horse battery", organisation="PARTNER-B")
    stranger = browser_page()
    stranger.goto("/hub")
    stranger.get_by_label("Email").fill("other@test.example")
    stranger.get_by_label("Password").fill("correct horse battery")
    stranger.get_by_role("button", name="Sign in").click()
    expect(stranger.get_by_text("Nothing on its way to your hubs.")).to_be_visible()
    expect(stranger.get_by_text("No requests yet.")).to_be_visible()
    assert stranger.goto(f"/consignments/{box}/receive").status == 404
    assert stranger.goto("/consignments").status == 403
    assert stranger.goto(count_url).status == 404
