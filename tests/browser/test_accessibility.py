"""axe-core (npm, `make vendor`) on every page each role sees, error states included, at a phone's width
and a desktop's: no violation of any impact. Screenshots of each page at both widths go to
build/screenshots/axe-*.png for review.

axe's script is injected by Playwright as an inline script, which the app's Content-Security-Policy
rightly refuses; these contexts bypass the CSP for that reason only (test_content_security_policy.py and
every other browser test keep it)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from inventory.extensions import db, unit_of_work
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, fits_width, screenshot
from tests.conftest import TODAY

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


def _background_jobs(world, tags) -> dict[str, int]:
    """A label sheet's job page as it runs, once done, and after a failure."""
    from inventory import clock
    from inventory.models import JobStatus
    from inventory.services import background_jobs

    made = {}
    with unit_of_work():
        for state in ("running", "done", "failed"):
            job = background_jobs.start(
                "label_sheet", {"tags": tags, "template": "L7651", "start_position": 1}, world.warehouse, total=1001
            )
            job.status, job.done = JobStatus(state), 500 if state == "running" else 1001
            if state == "done":
                job.result_key, job.result_name, job.result_type = "jobs/axe/sheet.pdf", "sheet.pdf", "application/pdf"
            if state == "failed":
                job.message = "No asset or kit has tag ZZZZZZZ (nor any consignment)"
            job.finished_at = None if state == "running" else clock.now()
            made[state] = job.id
    return made


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
    with unit_of_work():  # rows for the reference-data audit page: a list, a text and a field cleared
        reference.update_programme("HIW", {"reminder_days": [14, 3], "contact_phone": "0151 000 0000"}, world.admin)
        reference.update_location("HUB-AX00", {"name": "Axe hub zero"}, world.admin)
    person = make_participant(name="Axe Person")
    issue(person, make_asset("sim").tag)
    jobs = _background_jobs(world, [tablet.tag, hub_chair.tag])
    logistics = _logistics(world, make_asset, make_participant, issue)

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

    def kit_template_wrongly(page):
        page.get_by_label("Routers").fill("30")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    def deactivate_refused(page):
        page.get_by_role("button", name="Yes, deactivate it").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    def scan_something(page):
        page.get_by_label("Scan or type a code, then Enter").fill(tablet.tag)
        page.keyboard.press("Enter")
        expect(page.locator(".scans li")).to_have_count(1)
        page.get_by_label("Scan or type a code, then Enter").fill("NOPE")
        page.keyboard.press("Enter")
        expect(page.locator(".scans li")).to_have_count(2)

    def wrong_box_label(page):
        page.get_by_label("Scan the box label first").fill(tablet.tag)
        page.get_by_role("button", name="Open the box").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    def pack_something(page):
        code = page.get_by_label("Scan or type each item or kit, then Enter")
        code.fill(hub_chair.tag)  # at a hub, not at the warehouse: refused
        code.press("Enter")
        expect(page.locator("#outcome")).to_have_attribute("data-outcome", "wrong_state")
        code.fill(logistics.loose)
        code.press("Enter")
        expect(page.locator("#outcome")).to_have_attribute("data-outcome", "ok")
        expect(page.locator("#scans li")).to_have_count(2)

    def receive_something(page):
        code = page.get_by_label("Scan or type each item, then Enter")
        code.fill(logistics.sent)
        code.press("Enter")
        expect(page.locator("#outcome")).to_have_attribute("data-outcome", "ok")

    def count_something(page):
        code = page.get_by_label("Scan or type a code, then Enter")
        code.fill(hub_chair.tag)  # recorded at HUB-A, found at the warehouse
        code.press("Enter")
        expect(page.locator("#outcome")).to_have_attribute("data-outcome", "unexpected")
        code.fill("NOPE")
        code.press("Enter")
        expect(page.locator("#scans li")).to_have_count(2)

    def find_it(page):
        page.get_by_role("button", name="Send").click()  # nothing said about where: the error
        expect(page.locator(".govuk-error-summary")).to_be_visible()

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
        ("warehouse", f"/jobs/{jobs['running']}", None),
        ("warehouse", f"/jobs/{jobs['done']}", None),
        ("warehouse", f"/jobs/{jobs['failed']}", None),
        ("advocate", "/participants", None),
        ("advocate", f"/participants/{person.id}", None),
        ("advocate", f"/participants/{person.id}/issue", None),
        ("advocate", f"/participants/{person.id}/issue", issue_unticked),
        ("advocate", f"/participants/{person.id}/edit", None),
        ("advocate", "/participants/new", add_participant_wrongly),
        ("advocate", "/offline", None),  # the app shell (every form, when the copy is kept)
        ("advocate", "/offline/queue", None),
        ("advocate", "/reminders", None),
        ("advocate", "/loans", None),
        ("advocate", "/loans?state=lost", None),  # an error in the filters
        ("advocate", "/data-plans", None),
        ("advocate", "/data-plans?status=active&within=30", None),
        ("advocate", "/admin", None),  # not for their role: the page that says so
        ("partner", "/stock", None),
        ("partner", f"/a/{hub_chair.tag}", None),
        ("admin", "/", None),
        ("admin", "/admin", None),
        ("admin", "/admin/users", add_user_wrongly),
        ("admin", "/reports", None),
        ("admin", "/reports?from-day=31&from-month=2&from-year=2026", None),  # a day that does not exist
        ("admin", "/admin/access-log", None),
        ("admin", "/admin/access-log?to-day=31&to-month=2&to-year=2026", None),  # a day that does not exist
        ("admin", "/admin/reference-changes", None),
        ("admin", "/loans", None),
        ("admin", "/assets?sort=make", None),
        ("admin", "/account", None),
        ("admin", "/admin/kit-templates/DII-TABLET/edit", None),
        ("admin", "/admin/kit-templates/DII-TABLET/edit", kit_template_wrongly),
        ("admin", "/admin/locations/HUB-A/deactivate", None),  # it holds a chair: the page says so
        ("admin", "/admin/locations/HUB-A/deactivate", deactivate_refused),
        ("admin", "/admin/programmes/DII/deactivate", None),
        # Hub logistics, stocktakes and the lists merged while the restyle was under way.
        ("warehouse", "/hub", None),
        ("warehouse", "/consignments", None),
        ("warehouse", "/consignments/scan?job=pack", wrong_box_label),
        ("warehouse", f"/consignments/{logistics.packing}/pack", pack_something),
        ("warehouse", f"/consignments/{logistics.in_transit}", None),
        ("warehouse", "/stock-requests", None),
        ("warehouse", "/stocktakes", None),
        ("warehouse", f"/stocktakes/{logistics.warehouse_count}", count_something),
        ("warehouse", f"/stocktakes/{logistics.closed_count}", None),
        ("warehouse", "/sims-to-bar", None),
        ("warehouse", "/found", None),
        ("warehouse", "/assets", None),
        ("warehouse", f"/assets?q={tablet.serial}", None),
        ("warehouse", "/account", None),
        ("advocate", "/overdue", None),
        ("advocate", "/assets", None),
        ("advocate", "/account", None),
        ("partner", "/", None),
        ("partner", "/hub", None),
        ("partner", "/consignments/scan?job=receive", None),
        ("partner", f"/consignments/{logistics.in_transit}/receive", receive_something),
        ("partner", "/stock-requests", None),
        ("partner", "/stocktakes", None),
        ("partner", f"/stocktakes/{logistics.hub_count}", None),
        ("partner", "/assets", None),
        ("partner", "/account", None),
        ("admin", "/hub", None),
        ("admin", "/stock-requests", None),
        ("admin", "/consignments", None),
        ("admin", "/overdue", None),
        ("admin", "/sims-to-bar", None),
        ("admin", "/found", None),
        ("admin", "/stocktakes", None),
        ("admin", "/assets", None),
        (None, f"/verify/{logistics.certificate}", None),
        (None, "/verify/ABCDEFGHJKMNPQRS", None),  # a code we never issued
        (None, f"/a/{tablet.tag}", None),  # the found-device page
        (None, f"/a/{tablet.tag}", find_it),
    ]


# Pages that rightly refuse (and are checked all the same): anything else must answer below 400.
REFUSALS = {
    ("advocate", "/admin"),
    ("advocate", "/loans?state=lost"),
    ("admin", "/reports?from-day=31&from-month=2&from-year=2026"),
    ("admin", "/admin/access-log?to-day=31&to-month=2&to-year=2026"),
    ("warehouse", "/a/NOSUCH1"),
    (None, "/verify/ABCDEFGHJKMNPQRS"),
}


def _logistics(world, make_asset, make_participant, issue) -> SimpleNamespace:
    """What the hub, consignment, stocktake, overdue, SIMs-to-bar, found and verify pages show: a request,
    a box being packed and one on its way, counts open and closed, an overdue loan, a lost SIM, a report
    from someone who found a tablet, and a certificate of ownership."""
    from inventory import clock
    from inventory.services import assessments, consignments, found, loan_changes, reference, stock_requests
    from inventory.services import stocktakes as counting

    partner, warehouse, advocate = (world.people[r].user for r in ("partner", "warehouse", "advocate"))
    now = clock.now()
    with unit_of_work():
        stock_requests.create_request(
            location="HUB-A",
            lines=[{"template": "DII-TABLET", "count": 2}, {"type": "chair", "count": 3}],
            needed_by=TODAY + timedelta(days=14),
            note="For the new class",
            actor=partner,
            today=TODAY,
        )
    loose, sent = make_asset("laptop").tag, make_asset("tablet", serial="R9AXESENT1").tag
    with unit_of_work():
        packing = consignments.create_consignment(to="HUB-B", from_="WH-MAIN", request_id=None, actor=warehouse).tag
        in_transit = consignments.create_consignment(to="HUB-A", from_="WH-MAIN", request_id=None, actor=warehouse)
        in_transit = in_transit.tag
    with unit_of_work():
        consignments.add_items(in_transit, [sent, make_asset("sim").tag], warehouse)
    with unit_of_work():
        consignments.dispatch(in_transit, warehouse, now)
    with unit_of_work():
        warehouse_count = counting.open_stocktake("WH-MAIN", warehouse, now).id
        hub_count = counting.open_stocktake("HUB-A", partner, now).id
        closed = counting.open_stocktake("HUB-B", world.admin, now).id
    with unit_of_work():
        counting.close_stocktake(closed, "mark_missing", "move_here", world.admin, now)
    with unit_of_work():
        reference.create_programme(
            code="LEND",
            name="Lending",
            connectivity_months=1,
            ownership_rule="loan_only",
            assessment_name="L1",
            pass_mark=50,
            loan_weeks=2,
        )
    late = make_participant(programme="LEND")
    issue(late, make_asset("laptop", programme="LEND").tag, issued_on=TODAY - timedelta(days=30))
    lost_sim = make_asset("sim", network="Vodafone")
    loan = issue(make_participant(), lost_sim.tag)
    with unit_of_work():
        loan_changes.report_lost(
            loan["id"], advocate, items=[lost_sim.tag], reason="lost", reported_on=None, today=TODAY
        )
    with unit_of_work():
        found.report(
            make_asset("tablet").tag,
            where_found="On a bench in the park",
            contact="07700 900456",
            address_key="axe",
            now=now,
            per_hour=5,
        )
    owner, owned = make_participant(), make_asset("tablet", serial="R9AXEOWN1")
    issue(owner, owned.tag)
    with unit_of_work():
        _, transfer = assessments.record(
            participant_id=owner.id,
            score=20,
            max_score=20,
            taken_on=TODAY,
            venue="classroom",
            actor=advocate,
            today=TODAY,
        )
    return SimpleNamespace(
        loose=loose,
        sent=sent,
        packing=packing,
        in_transit=in_transit,
        warehouse_count=warehouse_count,
        hub_count=hub_count,
        closed_count=closed,
        certificate=transfer.verify_code,
    )


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
            answer = page.goto(path)
            assert answer is not None
            if (role, path) not in REFUSALS:
                assert answer.status < 400, f"{role} {path} answered {answer.status}"
            if step:
                step(page)
            name = (
                f"axe-{role or 'signed-out'}{path.replace('/', '_').split('?')[0]}{'-' + step.__name__ if step else ''}"
            )
            screenshot(page, f"{name}-{viewport['width']}")
            violations = _violations(page)
            if viewport is PHONE and not fits_width(page):  # a phone scrolls sideways: WCAG's reflow
                violations.append({"id": "reflow", "help": "The page is wider than a 360 px phone"})
            if violations:
                found[f"{role} {path} {step.__name__ if step else ''}"] = violations
    finally:
        for context, _ in contexts.values():
            context.close()
        db.session.remove()
    assert not found, json.dumps(found, indent=1)
    assert len(pages_to_check) >= 60  # every role's pages were looked at
