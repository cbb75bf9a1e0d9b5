"""axe-core (npm, `make vendor`) on every page each role sees, error states included, at a phone's width
and a desktop's: no violation of any impact. Screenshots of each page at both widths go to
build/screenshots/axe-*.png for review.

axe's script is injected by Playwright as an inline script, which the app's Content-Security-Policy
rightly refuses; these contexts bypass the CSP for that reason only (test_content_security_policy.py and
every other browser test keep it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory.extensions import db, unit_of_work
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, screenshot

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Every rule of every impact, WCAG 2.2 A and AA and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}
}


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "where": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def _sign_in(page, role: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(f"{role}@test.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture
def pages_to_check(world, make_asset, make_participant, issue):
    """Each role's pages, and the error states a person meets (a step that fills a form and submits)."""
    from inventory.services import kits, reference
    from inventory.web.stock import DETAILED_LOCATIONS

    tablet = make_asset("tablet", serial="R9AXE0001")
    with unit_of_work():
        kit = kits.build_kit([make_asset("tablet").tag, make_asset("sim").tag], world.warehouse, template="DII-TABLET")
    hub_chair = make_asset("chair", location="HUB-A")
    # Enough locations holding stock for /stock to show one row per location (its own page, the table by type).
    with unit_of_work():
        for n in range(DETAILED_LOCATIONS):
            reference.create_location(code=f"HUB-AX{n:02d}", name=f"Axe hub {n}", kind="hub", area="Halton")
    for n in range(DETAILED_LOCATIONS):
        make_asset("chair", location=f"HUB-AX{n:02d}")
    person = make_participant(name="Axe Person")
    issue(person, make_asset("sim").tag)

    def issue_unticked(page):
        page.get_by_label("Kit or item tags").fill("NOTATAG1 ZZ")
        page.get_by_role("button", name="Issue").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    def add_participant_wrongly(page):
        page.get_by_label("Mobile number").fill("12345")
        page.get_by_role("button", name="Add them").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    def add_user_wrongly(page):
        page.get_by_role("button", name="Add the user").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    def wrong_password(page):
        page.get_by_label("Email").fill("nobody@test.example")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    def retire_asks(page):
        page.get_by_text("Retire it").click()
        page.get_by_label("Why").select_option("written_off")
        page.get_by_role("button", name="Retire").click()
        expect(page.get_by_role("button", name="Yes, retire it")).to_be_visible()

    def scan_something(page):
        page.get_by_label("Scan or type a code, then Enter").fill(tablet.tag)
        page.keyboard.press("Enter")
        expect(page.locator(".scans li")).to_have_count(1)
        page.get_by_label("Scan or type a code, then Enter").fill("NOPE")
        page.keyboard.press("Enter")
        expect(page.locator(".scans li")).to_have_count(2)

    return [
        (None, "/sign-in", None),
        (None, "/sign-in", wrong_password),
        ("warehouse", "/scan", None),
        ("warehouse", "/scan?mode=move", scan_something),
        ("warehouse", "/scan?mode=kit", None),
        ("warehouse", "/deliveries", None),
        ("warehouse", "/stock", None),
        ("warehouse", "/stock?location=WH-MAIN", None),
        ("warehouse", f"/a/{tablet.tag}", None),
        ("warehouse", f"/a/{tablet.tag}", retire_asks),
        ("warehouse", f"/a/{kit.tag}", None),
        ("warehouse", "/a/NOSUCH1", None),
        ("advocate", "/participants", None),
        ("advocate", f"/participants/{person.id}", None),
        ("advocate", f"/participants/{person.id}/issue", None),
        ("advocate", f"/participants/{person.id}/issue", issue_unticked),
        ("advocate", f"/participants/{person.id}/edit", None),
        ("advocate", "/participants/new", add_participant_wrongly),
        ("advocate", "/reminders", None),
        ("advocate", "/admin", None),  # not for their role: the page that says so
        ("partner", "/stock", None),
        ("partner", f"/a/{hub_chair.tag}", None),
        ("admin", "/", None),
        ("admin", "/admin", None),
        ("admin", "/admin/users", add_user_wrongly),
        ("admin", "/reports", None),
        ("admin", "/admin/access-log", None),
        ("admin", "/account", None),
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_axe_finds_nothing_on_any_page_at_either_width(chromium, live_server, pages_to_check, viewport):
    found = {}
    contexts = {}
    try:
        for role, path, step in pages_to_check:
            if role not in contexts:
                context = chromium.new_context(viewport=viewport, base_url=live_server, bypass_csp=True)
                context.set_default_timeout(10_000)
                page = context.new_page()
                if role:
                    _sign_in(page, role)
                contexts[role] = (context, page)
            page = contexts[role][1]
            page.goto(path)
            if step:
                step(page)
            name = (
                f"axe-{role or 'signed-out'}{path.replace('/', '_').split('?')[0]}{'-' + step.__name__ if step else ''}"
            )
            screenshot(page, f"{name}-{viewport['width']}")
            violations = _violations(page)
            if violations:
                found[f"{role} {path} {step.__name__ if step else ''}"] = violations
    finally:
        for context, _ in contexts.values():
            context.close()
        db.session.remove()
    assert not found, json.dumps(found, indent=1)
    assert len(pages_to_check) >= 25  # every role's pages were looked at
