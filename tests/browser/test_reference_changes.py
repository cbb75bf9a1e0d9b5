"""An administrator on a phone (360 px) deactivates a location, after being told it still holds an item,
and changes a kit template's contents: real Chromium, the real server."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inventory.extensions import db, unit_of_work
from inventory.models import Kit, KitTemplate, Location
from inventory.services import kits, lifecycle
from tests.browser.conftest import PHONE, fits_width, screenshot, sign_in

pytestmark = pytest.mark.slow


def fresh(model, code):
    db.session.rollback()  # this thread's snapshot predates the server's commits
    return db.session.scalar(sa.select(model).where(model.code == code))


def test_an_admin_on_a_phone_deactivates_a_location_and_edits_a_kit_template(browser_page, world, make_asset):
    chair = make_asset("chair", location="HUB-B")
    with unit_of_work():
        built = kits.build_kit(
            [make_asset("tablet").tag, make_asset("sim").tag], world.warehouse, template="DII-TABLET"
        )
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "admin", "/admin")

    # The location still holds a chair: the page says so before anything is tried, and refuses the try.
    assert fits_width(page)  # the wide tables scroll inside their regions
    screenshot(page, "admin-360")
    page.get_by_role("link", name=re.compile(r"^Deactivate\s+Birkenhead$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Birkenhead?")
    expect(page.get_by_text("1 item in stock")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "deactivate-location-held-360")
    page.get_by_role("button", name="Yes, deactivate it").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("holds 1 item")
    assert fresh(Location, "HUB-B").active is True

    # Moved away, it goes.
    with unit_of_work():
        lifecycle.move(chair.tag, "WH-MAIN", world.warehouse)
    page.goto("/admin/locations/HUB-B/deactivate")
    page.get_by_role("button", name="Yes, deactivate it").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Location HUB-B is deactivated now.")
    expect(page.get_by_role("link", name=re.compile(r"^Reactivate\s+Birkenhead$"))).to_be_visible()
    assert fresh(Location, "HUB-B").active is False
    page.goto("/scan?mode=move")
    expect(page.locator('option[value="HUB-B"]')).to_have_count(0)

    # The kit template: a router instead of the SIM, from the admin page's Change link.
    page.goto("/admin")
    page.get_by_role("link", name=re.compile(r"^Change\s+Tablet and SIM$")).click()
    expect(page.get_by_text("Kits already built are not changed")).to_be_visible()
    assert fits_width(page)
    page.get_by_label("SIM cards").fill("")
    page.get_by_label("Routers").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Routers: give a whole number from 0 to 20.")
    expect(page.get_by_label("Routers")).to_have_value("30")
    screenshot(page, "kit-template-edit-error-360")
    page.get_by_label("Routers").fill("1")
    page.get_by_label("Name").fill("Tablet and router")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Kits already built are not changed.")
    template = fresh(KitTemplate, "DII-TABLET")
    assert template.name == "Tablet and router"
    assert {t.value: n for t, n in template.contents().items()} == {"tablet": 1, "router": 1}
    kit = db.session.scalar(sa.select(Kit).where(Kit.tag == built.tag))
    assert sorted(a.type.value for a in kit.items) == ["sim", "tablet"]
