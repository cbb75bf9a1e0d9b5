"""Working without a signal, in real Chromium on a 360 px phone with Playwright's offline mode: actions done
offline are kept on the phone through a closed page, sent once when the connection returns (also when the
answer to a send is lost after the server committed), refused with their reason, and forgotten at sign-out;
the scan station keeps scans made offline and looks them up later."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inventory.extensions import db, unit_of_work
from inventory.models import AccessLogEntry, Assessment, Asset, Event, Loan, SignatureMethod
from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.browser.test_paperwork import draw_signature

pytestmark = pytest.mark.slow


def count(model, **where) -> int:
    db.session.rollback()  # the server's commits, not this thread's old snapshot
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def ready_for_offline(page) -> None:
    """Once the worker is active (its files and the shell cached) and the copy is kept: marked on the banner."""
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


def test_an_answer_lost_after_the_server_committed_is_sent_again_and_issues_once(
    browser_page, world, make_asset, make_participant
):
    kit = kit_for(world, make_asset, "R9OFFLINE2")
    person = make_participant(name="Sam Example")
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "advocate", f"/participants/{person.id}")
    issue_offline(page, person, kit.tag)
    page.goto("/offline/queue")  # the shell, offline
    expect(page.locator("li[data-state=waiting]")).to_have_count(1)

    lost = []

    def lose_the_answer(route):
        """The request reaches the server, which commits; the answer never reaches the phone."""
        if lost:
            route.fallback()
            return
        lost.append(route.fetch().status)
        route.abort("connectionreset")

    page.context.route("**/offline/send/issue", lose_the_answer)
    offline(page, False)
    # Sent again with the same key: by Background Sync at once where the browser has it, else by the next
    # page opened with a signal. Either way the first answer comes back and nothing is issued twice.
    sent, lost_answer = page.locator("li[data-state=sent]"), page.get_by_text("Not sent yet: no connection.")
    expect(sent.or_(lost_answer)).to_be_visible()
    assert lost == [201] and count(Loan, participant_id=person.id) == 1  # done, though the phone was not told
    if not sent.is_visible():
        page.reload()
    expect(sent).to_have_count(1)
    expect(page.get_by_text(f"Issued {kit.tag} on 2026-11-22")).to_be_visible()
    assert count(Loan) == 1
    assert count(AccessLogEntry, participant_id=person.id, what=f"loan {fresh_loan_id(person)} issued") == 1


def fresh_loan_id(person) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(Loan.id).where(Loan.participant_id == person.id))


def test_a_kit_issued_meanwhile_to_someone_else_is_refused_with_the_reason_and_what_to_do(
    browser_page, world, make_asset, make_participant, issue
):
    kit = kit_for(world, make_asset, "R9OFFLINE3")
    person, other = make_participant(name="Jo Example"), make_participant(name="Other Person")
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "advocate", f"/participants/{person.id}")
    issue_offline(page, person, kit.tag)
    db.session.rollback()  # a fresh transaction: the server has written since this thread last read
    issue(other, kit.tag, actor=world.admin)  # meanwhile, at the office
    page.goto("/offline/queue")
    offline(page, False)
    refused = page.locator("li[data-state=refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(f"Why: kit {kit.tag} is on_loan, so it cannot be issued")
    expect(refused).to_contain_text("What to do: Something changed while you were offline")
    expect(page.locator("#offline-status")).to_contain_text("1 action was refused")
    screenshot(page, "offline-refused-phone")
    assert count(Loan, participant_id=person.id) == 0 and count(Loan, participant_id=other.id) == 1

    # Nothing goes without the advocate saying so: deleted only by its button.
    page.reload()
    expect(refused).to_have_count(1)
    page.get_by_role("button", name="Delete this refused action").click()
    expect(refused).to_have_count(0)


# Every response the service worker's caches hold: [url, text].
CACHED = """caches.keys().then(names => Promise.all(names.map(name => caches.open(name).then(cache =>
  cache.keys().then(requests => Promise.all(requests.map(
    r => cache.match(r).then(a => a.text()).then(t => [r.url, t]))))))))
  .then(all => all.flat())"""
KEPT = "OfflineStore.kept().then(k => k ? k.data.participants.map(p => p.reference) : null)"


def test_signing_out_clears_what_was_kept_on_the_phone(browser_page, world, make_participant):
    mine = make_participant(name="Kim Example")
    from inventory.services import users

    with unit_of_work():
        colleague, _ = users.create_user("colleague@test.example", "advocate", password="correct horse battery")
    make_participant(name="Not Mine", advocate=colleague)
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "advocate", f"/participants/{mine.id}")
    ready_for_offline(page)
    assert page.evaluate(KEPT) == [mine.reference]  # their own caseload only, never a colleague's
    assert count(AccessLogEntry, participant_id=mine.id, what="kept for offline work") >= 1
    cached = page.evaluate(CACHED)
    assert "/offline" in {urlsplit(url).path for url, _ in cached}  # the shell and the app's files, and only them
    assert not [url for url, text in cached if mine.reference in text or "Kim" in text or "advocate@" in text]

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # The sign-in page's scripts forget the copy as they start: wait for them, as a person would wait for
    # the page, rather than reading the store before they have run.
    page.wait_for_function("() => window.OfflineStore && OfflineStore.kept().then(k => !k)", timeout=15_000)
    assert page.evaluate(KEPT) is None
    assert not [url for url, text in page.evaluate(CACHED) if mine.reference in text or "Kim" in text]


def test_the_scan_station_keeps_scans_made_offline_and_looks_them_up_when_the_connection_returns(
    browser_page, world, make_asset
):
    tablet, laptop = make_asset("tablet"), make_asset("laptop")
    page = browser_page()
    sign_in(page, "warehouse", "/scan?mode=move")
    code = page.get_by_label("Scan or type a code, then Enter")
    expect(code).to_be_focused()
    offline(page)
    for text in (tablet.tag, laptop.tag, "NO-SUCH-THING-42"):
        code.fill(text)
        code.press("Enter")
    waiting = page.locator("#scans li.waiting")
    expect(waiting).to_have_count(3)
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "waiting")
    expect(page.locator("[data-batch-count]")).to_have_text("0")  # not in the batch until looked up

    # The batch's action, asked for offline, waits; it is sent once, after every scan is looked up.
    page.get_by_label("Move them to").select_option("HUB-A")
    page.get_by_role("button", name="Move these").click()
    expect(page.locator("#outcome")).to_contain_text("Waiting: this will be done once the connection returns")
    screenshot(page, "scan-station-offline")
    offline(page, False)
    expect(page.get_by_text("2 items moved to HUB-A.")).to_be_visible()
    db.session.rollback()
    for asset in (tablet, laptop):
        assert count(Event, asset_id=asset.id, action="move") == 1
    db.session.rollback()
    assert {
        a.location.code for a in db.session.scalars(sa.select(Asset).where(Asset.id.in_([tablet.id, laptop.id])))
    } == {"HUB-A"}


def test_scans_kept_through_a_closed_page_are_looked_up_later_with_the_tone_of_a_failure(
    browser_page, world, make_asset
):
    tablet = make_asset("tablet")
    page = browser_page()
    sign_in(page, "warehouse", "/scan?mode=look")
    code = page.get_by_label("Scan or type a code, then Enter")
    expect(code).to_be_focused()
    offline(page)
    for text in (tablet.tag, "NO-SUCH-THING-42"):
        code.fill(text)
        code.press("Enter")
    expect(page.locator("#scans li.waiting")).to_have_count(2)
    # Each row gets the id of its copy in IndexedDB once the write is done: close only then (closing a page
    # in the same millisecond as a scan could otherwise end the write, on a loaded machine).
    expect(page.locator("#scans li.waiting[data-scan-id]")).to_have_count(2)
    context = page.context
    page.close()  # closed without a connection: the scans are kept on the phone

    offline(page, False)
    page = context.new_page()
    page.goto("/scan?mode=look")
    expect(page.locator("#scans li.waiting")).to_have_count(0)
    expect(page.locator("#scans li.unknown")).to_contain_text("NO-SUCH-THING-42")
    expect(page.locator("#scans li").filter(has_text=tablet.tag)).to_have_count(1)
    expect(page.locator("#outcome")).to_have_attribute("data-tone", "unknown")  # the failure's tone, when it failed
    assert page.evaluate("OfflineStore.scans().then(s => s.length)") == 0


def test_when_the_session_ends_the_next_page_forgets_what_was_kept(browser_page, world, make_participant):
    from inventory.services import web_sessions

    mine = make_participant(name="Lee Example")
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "advocate", f"/participants/{mine.id}")
    ready_for_offline(page)
    assert page.evaluate(KEPT) == [mine.reference]
    db.session.rollback()
    with unit_of_work():  # its time is up (or an admin ended it): the server no longer knows the session
        web_sessions.end_all(world.people["advocate"].user.id)
    page.goto(f"/participants/{mine.id}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("body[data-offline-forgotten]")).to_be_attached()  # the sign-in page's script forgot it
    page.context.set_offline(True)  # and a page opened without a signal has nothing to show
    page.goto(f"/participants/{mine.id}")
    expect(page.get_by_text("Nothing is kept on this phone for working offline.")).to_be_visible()
    assert page.evaluate(KEPT) is None
