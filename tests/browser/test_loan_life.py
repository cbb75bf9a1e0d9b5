"""In a real browser on a phone: a faulty SIM swapped (the camera reads its replacement's label) and a
tablet reported stolen from the participant's page leave the loan, the data plan and every status right;
the warehouse then marks the SIM barred."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inventory.extensions import db
from inventory.models import Asset, DataPlan, LoanItem, LoanSwap, SimToBar
from tests.browser.conftest import PHONE, fits_width, screenshot, sign_in, write_camera_video
from tests.conftest import BASE_URL

pytestmark = pytest.mark.slow


def status(tag):
    db.session.rollback()  # read what the server committed
    return db.session.scalar(sa.select(Asset.status).where(Asset.tag == tag)).value


def test_a_swap_and_a_loss_report_on_a_phone(
    browser_page, chromium, live_server, world, make_asset, make_participant, issue
):
    person = make_participant(name="Sam Example")
    tablet, sim = make_asset("tablet"), make_asset("sim", network="Vodafone")
    spare = make_asset("sim", network="Vodafone")
    receipt = issue(person, tablet.tag, sim.tag, issued_on=date(2026, 8, 31))
    label = f"{BASE_URL.upper()}/A/{spare.tag}"  # what the replacement's label holds
    write_camera_video(chromium.fake_video, label)
    page = browser_page(viewport=PHONE)
    page.context.grant_permissions(["camera"], origin=live_server)
    sign_in(page, "advocate", f"/participants/{person.id}")

    page.get_by_text("Swap a faulty item").click()
    page.get_by_label("Which item is faulty?").select_option(sim.tag)
    page.get_by_role("button", name="Scan with the camera").click()  # the camera reads the label's URL
    expect(page.get_by_label("Replacement")).to_have_value(label, timeout=20_000)
    page.get_by_role("button", name="Stop the camera").click()
    page.get_by_label("Where does the faulty one go into quarantine?").select_option("HUB-A")
    page.get_by_label("What is wrong with it?").fill("no signal")
    page.get_by_role("button", name="Swap it").click()
    expect(page.get_by_text(f"{spare.tag} is on loan in place of {sim.tag}")).to_be_visible()
    assert status(sim.tag) == "quarantine" and status(spare.tag) == "on_loan"
    plan = db.session.scalar(sa.select(DataPlan))
    assert plan.sim.tag == spare.tag and plan.ends_on == date(2027, 2, 28) and plan.ended_on is None
    assert db.session.scalar(sa.select(LoanSwap.reason)) == "no signal"

    page.get_by_text("Report lost or stolen").click()
    page.get_by_label(f"{tablet.tag} —").check()
    page.get_by_label(f"{spare.tag} —").check()
    page.get_by_label("What happened?").select_option("stolen")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Report these items stolen?")).to_be_visible()
    assert fits_width(page)
    assert status(tablet.tag) == "on_loan"  # nothing until it is confirmed
    page.get_by_role("button", name="Yes, report them stolen").click()
    expect(page.get_by_text(f"SIM {spare.tag} (Vodafone) is on the warehouse's list to bar")).to_be_visible()
    screenshot(page, "participant-after-loss")
    assert status(tablet.tag) == "retired" and status(spare.tag) == "retired" and status(sim.tag) == "quarantine"
    closed = dict(
        db.session.execute(
            sa.select(Asset.tag, LoanItem.closed_as)
            .join(Asset, Asset.id == LoanItem.asset_id)
            .where(LoanItem.loan_id == receipt["id"])
        ).all()
    )
    assert {t: c.value for t, c in closed.items()} == {tablet.tag: "stolen", sim.tag: "swapped", spare.tag: "stolen"}
    assert db.session.scalar(sa.select(DataPlan.ended_on)) == date(2026, 11, 22)
    expect(page.get_by_text("Report lost or stolen")).to_have_count(0)  # nothing is out any more

    desk = browser_page()
    sign_in(desk, "warehouse", "/sims-to-bar")
    expect(desk.get_by_role("cell", name="Vodafone")).to_be_visible()
    desk.get_by_role("button", name=f"Marked barred: {spare.tag}").click()
    expect(desk.get_by_text(f"SIM {spare.tag} is marked barred.")).to_be_visible()
    expect(desk.get_by_text("No SIMs are waiting to be barred.")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(sa.select(SimToBar.barred_at)) is not None
