"""Each role's main pages, in a real browser, under the app's Content-Security-Policy: nothing is refused
(no inline script or style anywhere), and what needs scripts still works. The `browser_page` fixture
fails a test on any violation it saw; these tests walk the pages no journey test reaches as well."""

from __future__ import annotations

import pytest

from inventory.extensions import unit_of_work
from inventory.services import kits
from tests.browser.conftest import csp_violations, sign_in

pytestmark = pytest.mark.slow


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert not csp_violations(page.console), f"{path}: {csp_violations(page.console)}"


def test_the_sign_in_page_and_a_missing_page_signed_out(browser_page, world):
    page = browser_page()
    visit(page, "/sign-in")
    response = page.goto("/no/such/page")
    assert response.status == 404 and response.headers["cache-control"] == "no-store"
    page.wait_for_load_state("networkidle")
    assert not csp_violations(page.console)


def test_each_roles_main_pages(browser_page, world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([make_asset("tablet").tag, make_asset("sim").tag], world.warehouse)
    person = make_participant()
    issue(person, tablet.tag, sim.tag)
    pages = {
        "admin": [
            "/",
            "/admin",
            "/admin/users",
            "/reports",
            "/reminders",
            "/participants",
            f"/participants/{person.id}",
        ],
        "warehouse": ["/scan", "/scan?mode=kit", "/deliveries", "/stock", f"/a/{tablet.tag}", f"/a/{kit.tag}"],
        "advocate": [
            "/participants",
            "/participants/new",
            f"/participants/{person.id}",
            f"/participants/{person.id}/edit",
            f"/participants/{person.id}/issue",
            "/reminders",
        ],
        "partner": ["/stock"],
    }
    for role, paths in pages.items():
        page = browser_page()
        sign_in(page, role)
        for path in paths:
            visit(page, path)


def test_choosing_from_a_list_still_changes_the_page(browser_page, world):
    """The selects that used an inline onchange= now do it from a script file."""
    page = browser_page()
    sign_in(page, "warehouse", "/scan")
    page.get_by_label("What are you doing?").select_option("restock")
    page.wait_for_url("**/scan?mode=restock")
    page.goto("/stock")
    page.get_by_label("Location").select_option("HUB-A")
    page.wait_for_url("**/stock?location=HUB-A")


def test_the_api_documentation_page_works_under_the_policy(browser_page, world):
    page = browser_page()
    visit(page, "/api/v1/docs")
    page.get_by_text("/api/v1/assets", exact=True).first.wait_for()  # Swagger UI drew the operations
    assert not csp_violations(page.console)
