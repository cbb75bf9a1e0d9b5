"""A partner counts their hub in a real browser, on a phone, with a colleague scanning at the same time;
a partner of another organisation can neither see nor scan into the count."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, Event
from inventory.services import users
from tests.browser.conftest import PHONE, fits_width, screenshot, sign_in
from tests.conftest import BASE_URL

pytestmark = pytest.mark.slow


def fresh(tag: str) -> Asset:
    db.session.rollback()  # this thread's snapshot predates the server's commits
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def test_a_partner_counts_the_hub_finds_a_warehouse_item_and_moves_it_here(browser_page, world, make_asset):
    on_shelf = [make_asset("chair", location="HUB-A"), make_asset("tablet", location="HUB-A")]
    lost = make_asset("desk", location="HUB-A")
    stray = make_asset("tablet", location="WH-MAIN", serial="R9STRAY0001")  # recorded at the warehouse
    with unit_of_work():
        users.create_user("other@test.example", "partner", password="correct horse battery", organisation="PARTNER-B")

    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "partner")
    page.get_by_role("button", name="Go to your hubs' stock").click()  # from the partner's home page
    expect(page.get_by_role("heading", name="Last stocktakes")).to_be_visible()
    expect(page.locator('tr[data-location="HUB-A"]')).to_contain_text("Never counted")
    page.get_by_role("link", name="Start or join a stocktake").click()
    page.get_by_label("Count a location").select_option("HUB-A")
    page.get_by_role("button", name="Start the count").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HUB-A")
    page.wait_for_load_state()  # its scripts, not the form's no-JavaScript post, take the scans
    path = page.url
    stocktake_id = int(re.search(r"/stocktakes/(\d+)", path).group(1))
    expect(page.locator('[data-count="expected"]')).to_have_text("3")

    code = page.get_by_label("Scan or type a code, then Enter")
    code.fill(on_shelf[0].tag.lower())
    code.press("Enter")
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "found")
    code.fill(stray.serial)  # the wedge scanner reads the maker's barcode
    code.press("Enter")
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "unexpected")
    expect(page.locator("#unexpected-list")).to_contain_text(stray.tag)
    expect(page.locator("#unexpected-list")).not_to_contain_text("WH-MAIN")  # tag and type only
    code.fill(on_shelf[0].tag)
    code.press("Enter")
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "repeat")

    # A colleague (warehouse staff) scans into the same count from another device: the partner's page
    # shows it within a poll, without reloading.
    colleague = browser_page()
    sign_in(colleague, "warehouse", f"/stocktakes/{stocktake_id}")
    colleague_code = colleague.get_by_label("Scan or type a code, then Enter")
    colleague_code.fill(f"{BASE_URL}/a/{on_shelf[1].tag}")
    colleague_code.press("Enter")
    expect(colleague.locator("#outcome")).to_have_attribute("data-outcome", "found")
    expect(page.locator('[data-count="found"]')).to_have_text("2")
    expect(page.locator('[data-count="missing"]')).to_have_text("1")
    expect(page.locator('[data-count="unexpected"]')).to_have_text("1")
    expect(page.locator("#missing-list")).to_have_text(lost.tag)
    assert fits_width(page)
    screenshot(page, "stocktake-live")

    # A partner of another organisation cannot see the count, nor scan into it.
    stranger = browser_page()
    sign_in(stranger, "other")
    answer = stranger.goto(path)
    assert answer.status == 404
    refused = stranger.evaluate(
        """async ([url, code]) => {
             const page = await fetch("/stock");
             const token = (await page.text()).match(/name="csrf_token" value="([^"]+)"/)[1];
             const body = new FormData(); body.set("csrf_token", token); body.set("code", code);
             const r = await fetch(url + "/scan", {method: "POST", body, headers: {"Accept": "application/json"}});
             return r.status;
           }""",
        [path, on_shelf[0].tag],
    )
    assert refused == 404
    assert stranger.request.get(f"{path}/counts.json").status == 404

    page.get_by_label("Items expected and not found").select_option("mark_missing")
    page.get_by_label("Items found here but recorded elsewhere").select_option("move_here")
    page.get_by_role("button", name="Close the stocktake").click()
    expect(page.get_by_text("The stocktake is closed")).to_be_visible()
    expect(page.get_by_role("heading", name="What closing did")).to_be_visible()
    screenshot(page, "stocktake-closed")

    moved = fresh(stray.tag)
    assert (moved.status, moved.location.code) == (AssetStatus.IN_STOCK, "HUB-A")
    event = db.session.scalars(sa.select(Event).where(Event.asset_id == moved.id).order_by(Event.id.desc())).first()
    assert (event.action, event.from_location.code, event.to_location.code) == ("move", "WH-MAIN", "HUB-A")
    assert event.details == {"stocktake": stocktake_id} and event.actor_id == world.people["partner"].user.id
    assert fresh(lost.tag).status == AssetStatus.MISSING
    assert fresh(on_shelf[0].tag).status == AssetStatus.IN_STOCK

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert stray.tag in text and lost.tag in text and "moved here" in text

    page.goto("/stock")
    expect(page.locator('tr[data-location="HUB-A"]')).not_to_contain_text("Never counted")
    expect(page.locator('tr[data-location="HUB-A"] .overdue')).to_have_count(0)


def test_counting_with_the_phone_camera(browser_page, chromium, world, make_asset, live_server):
    """Chromium's fake camera shows an item's label; the camera button reads it into the count."""
    from tests.browser.conftest import write_camera_video

    chair = make_asset("chair", location="HUB-A")
    write_camera_video(chromium.fake_video, f"{BASE_URL.upper()}/A/{chair.tag}")
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.context.grant_permissions(["camera"], origin=live_server)
    sign_in(page, "partner", "/stocktakes")
    page.get_by_label("Count a location").select_option("HUB-A")
    page.get_by_role("button", name="Start the count").click()
    page.get_by_role("button", name="Use the camera").click()
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "found", timeout=20_000)
    expect(page.locator('[data-count="found"]')).to_have_text("1")
    page.get_by_role("button", name="Stop the camera").click()
    expect(page.locator("#camera")).to_be_hidden()
