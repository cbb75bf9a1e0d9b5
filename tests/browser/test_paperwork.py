"""The loan's paperwork in a real browser on a 360 px phone: a signature drawn with pointer events on the
issue page, the handover record downloaded with it, and the certificate whose QR code opens the verify page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from inventory.extensions import unit_of_work
from inventory.models import Asset, AssetStatus, Loan, SignatureMethod
from tests.browser.conftest import PHONE, fits_width, screenshot, sign_in
from tests.browser.test_journeys import fresh
from tests.conftest import BASE_URL
from tests.pdfs import assert_signed_by_us, qr_codes, structure, text

pytestmark = pytest.mark.slow


def draw_signature(page, canvas) -> None:
    """A zigzag and a loop, with the mouse: Chromium turns it into the pointer events a finger makes."""
    box = canvas.bounding_box()
    assert box["width"] > 250  # wide enough to sign on a phone
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in ([(0.1, 0.7), (0.25, 0.2), (0.4, 0.8), (0.55, 0.25)], [(0.65, 0.5), (0.8, 0.3), (0.9, 0.6)]):
        page.mouse.move(x + stroke[0][0] * w, y + stroke[0][1] * h)
        page.mouse.down()
        for fx, fy in stroke[1:]:
            page.mouse.move(x + fx * w, y + fy * h, steps=8)
        page.mouse.up()


def test_issue_with_a_drawn_signature_then_the_handover_and_a_checkable_certificate(
    browser_page, world, make_asset, make_participant
):
    from inventory.services import kits

    tablet, sim = make_asset("tablet", serial="R9SIGNED01"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET")
    person = make_participant(name="Alex Example")
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "advocate", f"/participants/{person.id}/issue")
    expect(page.get_by_text("Loan agreement (version 1)")).to_be_visible()
    expect(page.get_by_text("The equipment listed is lent to you by Digital Inclusion Initiative")).to_be_visible()
    page.get_by_label("Kit or item tags").fill(kit.tag)
    page.get_by_label("They have read and accepted the loan agreement").check()

    # The verbal alternative is one tap away, and the pad comes back with the other choice.
    page.get_by_label("They cannot sign: I read it aloud and they agreed").check()
    expect(page.get_by_label("Your note")).to_be_visible()
    page.get_by_label("They sign on this screen with a finger").check()
    canvas = page.get_by_role("img", name="Signature pad: draw with a finger")
    expect(canvas).to_be_visible()
    draw_signature(page, canvas)
    expect(page.get_by_text("Signed.", exact=True)).to_be_visible()
    assert fits_width(page)
    screenshot(page, "issue-signed-phone")
    page.get_by_role("button", name="Issue", exact=True).click()
    expect(page.get_by_role("heading", name=f"Issued to {person.reference}")).to_be_visible()

    loan = fresh(Loan, participant_id=person.id)
    assert loan.signature.method == SignatureMethod.DRAWN
    assert loan.signature.svg.count("<polyline") == 2

    page.goto(f"/participants/{person.id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the handover record (PDF)").click()
    handover = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"handover-{loan.id}.pdf"
    assert_signed_by_us(handover)
    words = text(handover)
    for expected in ("R9SIGNED01", sim.iccid, "version 1", loan.agreement.sha256[:16], "Alex Example"):
        assert expected in words, expected
    assert "The participant's signature, drawn on the screen" in structure(handover)["figures"]

    # A pass makes the kit theirs; the certificate's QR code opens the public verify page.
    page.get_by_text("Record an assessment").click()
    page.get_by_label("Score").fill("19")
    page.get_by_label("Out of").fill("20")
    page.get_by_label("Where", exact=True).select_option("home")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Assessment recorded: 19/20, passed.")).to_be_visible()
    assert fresh(Asset, tag=tablet.tag).status == AssetStatus.OWNED
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the certificate (PDF)").click()
    certificate = Path(download.value.path()).read_bytes()
    assert_signed_by_us(certificate)
    [url] = qr_codes(certificate)
    assert url.startswith(f"{BASE_URL}/verify/")

    stranger = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)  # signed out: anyone may check
    stranger.goto(urlsplit(url).path)
    expect(stranger.get_by_role("heading", name="This is a genuine certificate")).to_be_visible()
    expect(stranger.get_by_text("R9SIGNED01")).to_be_visible()
    assert "Alex Example" not in stranger.content() and person.reference not in stranger.content()
    assert fits_width(stranger)
    screenshot(stranger, "verify-phone")
