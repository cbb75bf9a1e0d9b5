"""Working without a signal, in real Chromium on a 360 px phone with Playwright's offline mode: actions done
offline are kept on the phone through a closed page, sent once when the connection returns (also when the
answer to a send is lost after the server committed), refused with their reason, and forgotten at sign-out;
the scan station keeps scans made offline and looks them up later."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inventory.extensions import db, unit_of_work
from inventory.models import Assessment, Loan, SignatureMethod
from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.browser.test_paperwork import draw_signature

pytestmark = pytest.mark.slow


def count(model, **where) -> int:
    db.session.rollback()  # the server's commits, not this thread's old snapshot
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def ready_for_offline(page) -> None:
    """What a person sees once the app can work offline: the worker controls the page and the copy is kept."""
    expect(page.locator("#offline-status[data-offline-ready]")).to_be_attached()


def offline(page, yes: bool = True) -> None:
    page.context.set_offline(yes)


def kit_for(world, make_asset, serial: str):
    from inventory.services import kits

    tablet, sim = make_asset("tablet", serial=serial), make_asset("sim")
    with unit_of_work():
        return kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET")


def issue_offline(page, person, kit_tag: str) -> None:
    """On the issue page opened with a signal, the connection gone: the issue is saved on the phone."""
    page.goto(f"/participants/{person.id}/issue")
    ready_for_offline(page)
    offline(page)
    expect(page.locator("#offline-status")).to_contain_text("Offline")
    page.get_by_label("Kit or item tags").fill(kit_tag)
    page.get_by_label("They have read and accepted the loan agreement").check()
    draw_signature(page, page.get_by_role("img", name="Signature pad: draw with a finger"))
    expect(page.get_by_text("Signed.", exact=True)).to_be_visible()
    page.get_by_role("button", name="Issue", exact=True).click()
    expect(page.get_by_text("Saved on this phone: it will be sent when you are back online.")).to_be_visible()


def test_an_issue_and_a_pass_done_offline_wait_through_a_closed_page_and_are_sent_once(
    browser_page, world, make_asset, make_participant
):
    kit = kit_for(world, make_asset, "R9OFFLINE1")
    person = make_participant(name="Alex Example")
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "advocate", f"/participants/{person.id}")
    issue_offline(page, person, kit.tag)
    expect(page.locator("#offline-status")).to_contain_text("1 waiting to send")

    # Their page, opened without a signal: the app shell, with what is kept for this advocate.
    page.goto(f"/participants/{person.id}")
    expect(page.get_by_role("heading", name="Working offline")).to_be_visible()
    expect(page.get_by_label("Participant").first).to_have_value(str(person.id))
    assessment = page.locator("section[data-shell=assessment]")
    assessment.get_by_label("Score").fill("18")
    assessment.get_by_label("Out of").fill("20")
    assessment.get_by_label("Where").select_option("home")
    assessment.get_by_role("button", name="Save the assessment to send later").click()
    expect(page.locator("#offline-status")).to_contain_text("2 waiting to send")
    screenshot(page, "offline-shell-phone")

    # Closed and opened again, still offline: both still wait.
    context = page.context
    page.close()
    page = context.new_page()
    page.goto("/offline/queue")
    expect(page.locator("li[data-state=waiting]")).to_have_count(2)
    expect(page.get_by_text(f"Issue {kit.tag} to {person.reference} (Alex)")).to_be_visible()
    assert count(Loan) == 0 and count(Assessment) == 0

    offline(page, False)  # back online: sent by themselves
    expect(page.locator("li[data-state=sent]")).to_have_count(2)
    expect(page.locator("#offline-status")).not_to_contain_text("waiting to send")
    assert count(Loan, participant_id=person.id) == 1
    assert count(Assessment, participant_id=person.id) == 1
    db.session.rollback()
    loan = db.session.scalar(sa.select(Loan))
    assert loan.signature.method == SignatureMethod.DRAWN and loan.agreement.version == 1
    assert loan.issued_on.isoformat() == "2026-11-22"  # the day it was done (the suite's today)
    page.reload()
    expect(page.locator("li[data-state=sent]")).to_have_count(2)
    assert count(Loan) == 1 and count(Assessment) == 1  # opening a page again sends nothing twice
