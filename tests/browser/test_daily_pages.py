"""Issue 16's daily-work pages in real Chromium: the asset list (search, Back, paging, CSV), the found-device
page, and the idle-timeout warning that keeps what was typed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from playwright.sync_api import expect

from inventory.extensions import db, unit_of_work
from inventory.models import FoundReport
from tests.browser.conftest import PHONE, fits_width, screenshot, sign_in


def test_asset_list_search_back_paging_and_export(browser_page, world, make_asset):
    lenovo = make_asset("tablet", make="Lenovo", model="Tab M10")
    chairs = [make_asset("chair").tag for _ in range(51)]
    page = browser_page()
    sign_in(page, "warehouse", "/assets")
    page.get_by_label("Search").fill("lenov")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name=lenovo.tag)).to_be_visible()
    assert "q=lenov" in page.url
    screenshot(page, "asset-list")
    page.get_by_role("link", name=lenovo.tag).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(lenovo.tag)
    page.go_back()
    expect(page.get_by_label("Search")).to_have_value("lenov")  # Back returns to the search
    expect(page.get_by_role("link", name=lenovo.tag)).to_be_visible()
    page.get_by_label("Search").fill("")
    page.get_by_label("Type").select_option("chair")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name=chairs[0])).to_be_visible()
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name=chairs[50])).to_be_visible()
    expect(page.get_by_role("link", name=chairs[0])).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this list as CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["tag"] for r in rows] == chairs  # every page, this filter only
    phone = browser_page(viewport=PHONE)
    sign_in(phone, "partner", "/assets")
    expect(phone.get_by_role("heading", name="Assets")).to_be_visible()
    assert fits_width(phone)


def test_whoever_finds_a_tablet_can_tell_the_warehouse(browser_page, world, make_asset):
    with unit_of_work():
        world.dii.contact_phone = "0151 496 0000"
    tag = make_asset("tablet", serial="R9FOUND001").tag
    finder = browser_page(viewport=PHONE, is_mobile=True)
    finder.goto(f"/A/{tag}")
    expect(finder.get_by_role("heading", name="Have you found this?")).to_be_visible()
    expect(finder.get_by_text("Digital Inclusion Initiative")).to_be_visible()
    expect(finder.get_by_role("link", name="0151 496 0000")).to_be_visible()
    expect(finder.get_by_text("R9FOUND001")).to_have_count(0)
    finder.get_by_role("button", name="Send").click()
    expect(finder.locator("#f-where_found-error")).to_contain_text("Say where you found it")
    expect(finder.get_by_role("link", name="Say where you found it")).to_be_visible()  # the error summary
    finder.get_by_label("Where did you find it?").fill("On the 86 bus")
    finder.get_by_role("button", name="Send").click()
    expect(finder.get_by_text("We have your report")).to_be_visible()
    assert fits_width(finder)
    screenshot(finder, "found-device-phone")
    db.session.rollback()  # this thread's snapshot predates the request
    assert db.session.scalar(sa.select(FoundReport.where_found)) == "On the 86 bus"
    db.session.remove()
    staff = browser_page()
    sign_in(staff, "warehouse", "/found")
    expect(staff.get_by_text("On the 86 bus")).to_be_visible()
    staff.get_by_role("button", name=f"Dealt with {tag}").click()
    expect(staff.get_by_text("No reports waiting.")).to_be_visible()


def test_the_timeout_warning_keeps_the_session_and_then_the_typed_work(app, browser_page, world, make_participant):
    person = make_participant()
    idle = timedelta(minutes=app.config["WEB_IDLE_MINUTES"])
    page = browser_page()
    page.clock.install()  # the page's own timers, moved on below together with the app's clock
    sign_in(page, "advocate", f"/participants/{person.id}/edit")
    page.get_by_label("Mobile number").fill("07700 900777")

    app.config["CLOCK"].advance(idle - timedelta(minutes=2))
    page.clock.run_for(int((idle - timedelta(minutes=2)).total_seconds() * 1000) + 1000)
    warning = page.get_by_role("dialog", name="You are about to be signed out")
    expect(warning).to_be_visible()
    screenshot(page, "timeout-warning")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    app.config["CLOCK"].advance(idle + timedelta(seconds=5))
    page.clock.run_for(int(idle.total_seconds() * 1000) + 5000)
    expect(warning).to_be_visible()  # the server says no time is left: the countdown runs out
    page.clock.run_for(5000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # signed out: the screen shows nobody's details
    expect(page.get_by_text("What you typed is kept")).to_be_visible()
    page.get_by_label("Email").fill("advocate@test.example")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("What you typed is back")).to_be_visible()
    assert urlsplit(page.url).path == f"/participants/{person.id}/edit"
    expect(page.get_by_label("Mobile number")).to_have_value("07700 900777")


def test_the_advocates_home_page_leads_to_who_needs_attention(browser_page, world, make_participant, make_asset, issue):
    from tests.conftest import TODAY

    person = make_participant()
    issue(person, make_asset("tablet").tag, issued_on=TODAY - timedelta(weeks=5))
    reference = person.reference
    page = browser_page(viewport=PHONE)
    sign_in(page, "advocate")
    expect(page.get_by_role("heading", name="Needs attention")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "home-advocate-phone")
    page.get_by_role("link", name="Kit out 4 weeks or more, no assessment yet").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert "show=no_assessment_4_weeks" in page.url


def test_an_advocate_extends_free_data_from_the_participants_page(
    browser_page, world, make_participant, make_asset, issue
):
    from inventory.dates import add_months
    from inventory.web.words import ukdate
    from tests.conftest import TODAY

    person = make_participant()
    sim = make_asset("sim").tag
    issue(person, sim)
    reference = person.reference
    page = browser_page(viewport=PHONE)
    sign_in(page, "advocate", "/participants")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name=f"Extend the free data of SIM {sim}").click()
    expect(page.get_by_role("heading", name="Extend their free data")).to_be_visible()
    page.get_by_label("Extend by").select_option("3")
    page.get_by_role("button", name="Extend the free data").click()
    expect(page.get_by_text(f"now ends on {ukdate(add_months(TODAY, 9))}")).to_be_visible()
    assert fits_width(page)


def test_an_admin_erases_a_participant_after_saying_so(browser_page, world, make_participant):
    person = make_participant(name="Erin Erasable")
    page = browser_page()
    sign_in(page, "admin", f"/participants/{person.id}")
    page.get_by_role("link", name="Erase their personal data").click()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    page.get_by_role("button", name="Erase their personal data").click()
    expect(page.get_by_role("link", name="Tick the box to say you mean to erase it")).to_be_visible()
    page.get_by_label(f"I mean to erase {person.reference}'s personal data").check()
    page.get_by_role("button", name="Erase their personal data").click()
    expect(page.get_by_text("is erased")).to_be_visible()
    expect(page.get_by_text("Erin Erasable")).to_have_count(0)


def test_loans_and_data_plans_lists_search_back_and_paging(browser_page, world, make_participant, make_asset, issue):
    from datetime import date

    from inventory.web import lists

    people = [make_participant() for _ in range(3)]
    for n, person in enumerate(people):
        issue(person, make_asset("sim").tag, make_asset("tablet").tag, issued_on=date(2026, 11, 20 - n))
    hiw = make_participant(programme="HIW")
    issue(hiw, make_asset("sim", programme="HIW").tag)
    lists.PAGE_SIZE, saved = 2, lists.PAGE_SIZE  # the live server shares this process: two a page
    try:
        page = browser_page()
        sign_in(page, "advocate", "/")
        page.get_by_role("link", name="Loans", exact=True).first.click()
        expect(page.get_by_role("heading", name="Loans", level=1)).to_be_visible()
        page.get_by_label("Programme").select_option("HIW")
        page.get_by_role("button", name="Search", exact=True).click()
        assert "programme=HIW" in page.url
        expect(page.locator("#loans tbody tr")).to_have_count(1)
        screenshot(page, "loans")
        page.get_by_role("link", name=hiw.reference).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(hiw.name)
        page.go_back()
        expect(page.get_by_label("Programme")).to_have_value("HIW")  # Back returns to the search
        expect(page.get_by_role("link", name=hiw.reference)).to_be_visible()
        page.get_by_role("button", name="Clear the search").click()
        expect(page.locator("#loans tbody tr")).to_have_count(2)
        page.get_by_role("link", name="Next page").click()
        expect(page.locator("#loans tbody tr")).to_have_count(2)
        expect(page.get_by_role("link", name="First page")).to_be_visible()

        page.goto("/data-plans")
        page.get_by_label("Status").select_option("active")
        page.get_by_label("Ends within (days)").fill("366")
        page.get_by_role("button", name="Search", exact=True).click()
        assert "within=366" in page.url
        expect(page.locator("#data-plans tbody tr")).to_have_count(2)
        screenshot(page, "data-plans")
        first_sim = page.locator("#data-plans tbody tr").first.get_by_role("link").first
        tag = first_sim.inner_text()
        first_sim.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(tag)
        page.go_back()
        expect(page.get_by_label("Ends within (days)")).to_have_value("366")
        page.get_by_role("link", name="Next page").click()
        expect(page.locator("#data-plans tbody tr")).to_have_count(2)

        phone = browser_page(viewport=PHONE)
        sign_in(phone, "advocate", "/loans")
        expect(phone.get_by_role("heading", name="Loans", level=1)).to_be_visible()
        assert fits_width(phone)
        screenshot(phone, "loans-360")
        phone.goto("/data-plans")
        expect(phone.get_by_role("heading", name="Data plans", level=1)).to_be_visible()
        assert fits_width(phone)
        screenshot(phone, "data-plans-360")
    finally:
        lists.PAGE_SIZE = saved
