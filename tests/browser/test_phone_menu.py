"""The menu on a phone: drawn folded from the start, so nothing on the page moves when GOV.UK Frontend's
script starts it (a layout shift Lighthouse counted against every signed-in page), and open for a browser
that runs no JavaScript, as nothing would unfold it there."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in

LAYOUT_SHIFT = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({ type: "layout-shift", buffered: true });
  setTimeout(() => done(total), 500);
})"""


def test_the_menu_is_folded_from_the_start_on_a_phone_and_nothing_moves(browser_page, world):
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "warehouse", "/assets")  # the warehouse's menu is the longest: nine pages

    def slowly(route):  # GOV.UK Frontend's script arrives after the page is drawn, as on a slow phone network
        time.sleep(0.8)
        route.continue_()

    page.route("**/govuk-frontend.min.js", slowly)
    page.goto("/assets")
    expect(page.locator("[data-govuk-service-navigation-init]")).to_have_count(1)  # the script has started it
    assert page.evaluate(LAYOUT_SHIFT) < 0.01
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Stocktakes")).to_be_hidden()
    menu.click()
    expect(page.get_by_role("link", name="Stocktakes")).to_be_visible()


def test_without_javascript_the_menu_is_open_on_a_phone(browser_page, world):
    page = browser_page(viewport=PHONE, java_script_enabled=False)
    sign_in(page, "warehouse", "/assets")
    page.goto("/assets")
    expect(page.get_by_role("link", name="Stocktakes")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
