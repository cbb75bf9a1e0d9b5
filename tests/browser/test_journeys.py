"""A day's work in each role, in a real browser: what the issue's "done when" asks for."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from inventory.dates import add_months, uk_date
from inventory.extensions import db
from inventory.models import Asset, AssetStatus, Loan, Transfer
from labels import single
from labels.content import LabelContent
from tests.browser.conftest import DESKTOP, PHONE, fits_width, screenshot, sign_in
from tests.conftest import BASE_URL, TODAY

pytestmark = pytest.mark.slow


def fresh(model, **where):
    """Read what the server stored: end this thread's transaction first (its snapshot predates the request)."""
    db.session.rollback()
    return db.session.scalar(sa.select(model).filter_by(**where))


@pytest.mark.parametrize(
    "role, start, heading",
    [
        ("admin", None, None),
        ("warehouse", "Go to the scan station", "Scan station"),
        ("advocate", "Go to your participants", "Your participants"),
        ("partner", "Go to your hubs' stock", "Your hubs' stock"),
    ],
)
def test_each_role_signs_in_to_its_home_page_with_its_start_first(browser_page, world, role, start, heading):
    page = browser_page()
    sign_in(page, role)
    assert urlsplit(page.url).path == "/"
    expect(page.get_by_role("heading", level=1, name="Device lending")).to_be_visible()
    expect(page.get_by_text(f"{role}@test.example ({role})")).to_be_visible()
    screenshot(page, f"home-{role}")
    if start:
        page.get_by_role("button", name=start).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert "/sign-in" in page.url


def test_scan_station_by_typing_codes_and_enter(browser_page, world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet", serial="R9TYPED001"), make_asset("sim")
    lent, mistake = make_asset("laptop"), make_asset("chair")
    issue(make_participant(), lent.tag)
    page = browser_page()
    sign_in(page, "warehouse", "/scan")
    page.get_by_label("What are you doing?").select_option("move")
    page.wait_for_url("**/scan?mode=move")
    code = page.get_by_label("Scan or type a code, then Enter")
    assert page.evaluate("document.activeElement.id") == "f-code"  # ready for the scanner straight away

    def scan(text: str) -> str:
        code.fill(text)
        code.press("Enter")
        page.wait_for_function("n => document.querySelectorAll('#scans li').length === n", arg=scan.count + 1)
        scan.count += 1
        assert page.evaluate("document.activeElement.id") == "f-code"  # focus stays for the next scan
        return page.locator("#outcome").get_attribute("data-outcome")

    scan.count = 0
    assert scan(tablet.tag.lower()) == "ok"
    assert scan(f"  {sim.iccid}  ") == "ok"  # the SIM's ICCID barcode
    assert scan(tablet.tag) == "repeat"
    typo = tablet.tag[:-1] + ("2" if tablet.tag[-1] != "2" else "3")
    assert scan(typo) == "mistyped"
    assert "check character" in page.locator("#outcome").inner_text()
    assert scan("NO-SUCH-THING-42") == "unknown"
    assert scan(lent.tag) == "wrong_state"
    assert "on loan, so it cannot be moved" in page.locator("#outcome").inner_text()
    colours = {
        kind: page.evaluate(f"getComputedStyle(document.querySelector('.scans li.{kind}')).borderLeftColor")
        for kind in ("ok", "mistyped", "unknown", "wrong_state")
    }
    assert len(set(colours.values())) == 4  # each outcome looks different
    assert page.locator("[data-batch-count]").inner_text() == "2"
    screenshot(page, "scan-station")
    assert scan(mistake.tag) == "ok"  # scanned by mistake: take it out of the batch again
    assert page.locator("[data-batch-count]").inner_text() == "3"
    page.get_by_role("button", name=f"Remove {mistake.tag} from the batch").click()
    assert page.locator("[data-batch-count]").inner_text() == "2"
    assert page.locator("#batch-form input[name=tags]").input_value() == f"{tablet.tag} {sim.tag}"

    page.get_by_label("Move them to").select_option("HUB-A")
    page.get_by_role("button", name="Move these").click()
    expect(page.get_by_text("2 items moved to HUB-A.")).to_be_visible()
    assert fresh(Asset, tag=tablet.tag).location.code == "HUB-A"
    assert fresh(Asset, tag=sim.tag).location.code == "HUB-A"
    assert fresh(Asset, tag=lent.tag).status == AssetStatus.ON_LOAN
    assert fresh(Asset, tag=mistake.tag).location.code == "WH-MAIN"


def test_building_a_kit_shows_what_is_still_missing(browser_page, world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    page = browser_page()
    sign_in(page, "warehouse", "/scan?mode=kit&template=DII-TABLET")
    code = page.get_by_label("Scan or type a code, then Enter")
    code.fill(tablet.tag)
    code.press("Enter")
    page.wait_for_selector("#kit-progress:has-text('Still missing: 1 sim')")
    code.fill(sim.tag)
    code.press("Enter")
    page.wait_for_selector("#kit-progress:has-text('Everything DII-TABLET needs is here')")
    page.get_by_role("button", name="Build the kit").click()
    expect(page.get_by_text("built from 2 items")).to_be_visible()
    kit_tag = urlsplit(page.url).path.rsplit("/", 1)[1]
    assert fresh(Asset, tag=tablet.tag).kit.tag == kit_tag
    assert fresh(Asset, tag=sim.tag).status == AssetStatus.IN_KIT


def test_a_labels_url_opens_the_asset_page_after_sign_in(browser_page, world, make_asset, live_server):
    tablet = make_asset("tablet", serial="R9LABEL001")
    label = single.png(LabelContent.for_asset(BASE_URL, tablet.tag, "tablet", tablet.model))
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(label)))[0].text  # what a phone's camera reads
    assert url == f"{BASE_URL.upper()}/A/{tablet.tag}"
    page = browser_page()
    page.goto(live_server + urlsplit(url).path)  # the same path, on this server: the found-device page
    expect(page.get_by_role("heading", name="Have you found this?")).to_be_visible()
    page.get_by_role("link", name="sign in to see this item").click()
    expect(page.get_by_label("Email")).to_be_visible()
    page.get_by_label("Email").fill("warehouse@test.example")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    assert urlsplit(page.url).path == f"/A/{tablet.tag}"
    assert page.get_by_role("heading", level=1).inner_text() == f"{tablet.tag} tablet"
    expect(page.get_by_text("R9LABEL001")).to_be_visible()
    screenshot(page, "asset-page")


def test_an_advocate_issues_a_kit_on_a_phone(browser_page, world, make_asset, make_participant):
    from inventory.extensions import unit_of_work
    from inventory.services import kits

    with unit_of_work():
        kit = kits.build_kit([make_asset("tablet").tag, make_asset("sim").tag], world.warehouse, template="DII-TABLET")
    person = make_participant(name="Alex Example")
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "advocate", "/participants")
    page.get_by_role("link", name=person.reference).click()
    page.get_by_role("button", name="Issue a kit or items").click()  # a GOV.UK link styled as a button
    page.get_by_label("Kit or item tags").fill(kit.tag.lower())
    page.get_by_role("button", name="Issue").click()
    # Refused, not ticked: the summary says what to do, and its link leads to the box.
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Tick the box to confirm they have read and accepted the loan agreement").click()
    expect(page.get_by_label("They have read and accepted the loan agreement")).to_be_focused()
    assert page.get_by_label("Kit or item tags").input_value() == kit.tag.lower()  # what was typed is kept
    assert fresh(Loan, participant_id=person.id) is None
    page.get_by_label("They have read and accepted the loan agreement").check()
    assert fits_width(page)
    screenshot(page, "issue-phone")
    page.get_by_role("button", name="Issue").click()
    ends = add_months(TODAY, 6).isoformat()  # DII: six months of free data
    assert page.locator("[data-plan-end]").inner_text() == f"Free data until {uk_date(add_months(TODAY, 6))}"
    assert fits_width(page)
    screenshot(page, "issued-phone")
    loan = fresh(Loan, participant_id=person.id)
    assert sorted(i.asset.tag for i in loan.items) == sorted(a.tag for a in kit.items)
    assert [p.ends_on.isoformat() for p in loan.data_plans] == [ends]
    page.get_by_role("button", name=f"Go to {person.reference}'s page").click()
    expect(page.get_by_text("days left").first).to_be_visible()
    assert fits_width(page)
    screenshot(page, "participant-phone")


def test_adding_a_participant_shows_each_error_beside_its_field(browser_page, world):
    page = browser_page(viewport=PHONE)
    sign_in(page, "advocate", "/participants/new")
    page.get_by_label("Programme reference").fill("DII-0042")
    page.get_by_label("Name", exact=True).fill("Sam Sample")
    page.get_by_label("Mobile number").fill("12345")
    page.get_by_role("button", name="Add them").click()
    expect(page.locator("#f-phone-error")).to_be_visible()
    expect(page.locator("#f-area-error")).to_be_visible()
    assert page.get_by_label("Programme reference").input_value() == "DII-0042"  # nothing typed is lost
    page.get_by_label("Mobile number").fill("07700 900456")
    page.get_by_label("Area").select_option("Wirral")
    page.get_by_label("Referred by").select_option("jobcentre_plus")
    page.get_by_role("button", name="Add them").click()
    expect(page.get_by_text("DII-0042 added. Now issue their kit.")).to_be_visible()
    assert "Sam Sample" not in page.url and "/issue" in page.url


def test_record_an_assessment_and_download_the_certificate(browser_page, world, make_asset, make_participant, issue):
    tablet = make_asset("tablet", serial="R9CERT0001")
    person = make_participant()
    issue(person, tablet.tag)
    page = browser_page()
    sign_in(page, "advocate", "/participants")
    page.get_by_role("link", name=person.reference).click()
    page.get_by_text("Record an assessment").click()
    page.get_by_label("Score").fill("17")
    page.get_by_label("Out of").fill("20")
    page.get_by_label("Where", exact=True).select_option("classroom")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Assessment recorded: 17/20, passed.")).to_be_visible()
    assert fresh(Asset, tag=tablet.tag).status == AssetStatus.OWNED
    screenshot(page, "participant-after-pass")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the certificate (PDF)").click()
    text = PdfReader(download.value.path()).pages[0].extract_text()
    assert "R9CERT0001" in text and person.name in text
    transfer = fresh(Transfer, participant_id=person.id)
    assert download.value.suggested_filename == f"certificate-{transfer.id}.pdf"


def test_a_partners_pages_hold_no_personal_data(browser_page, world, make_asset, make_participant, issue):
    at_hub = make_asset("tablet", location="HUB-A")
    make_asset("chair", location="HUB-A")
    make_asset("laptop", location="HUB-B")
    lent = make_asset("sim", location="HUB-A")
    person = make_participant(
        name="Zebedee Quux", phone="07700 900999", email="zebedee@example.org", reference="SECRET-REF-1"
    )
    issue(person, lent.tag)
    page = browser_page()
    sign_in(page, "partner", "/stock")
    seen = []
    for link in [a.get_attribute("href") for a in page.locator("nav.main a").all()] + [
        f"/a/{at_hub.tag}",
        f"/a/{lent.tag}",
        "/participants",
        f"/participants/{person.id}",
    ]:
        page.goto(link)
        seen.append((link, page.content()))
    screenshot(page, "partner-stock") if page.goto("/stock") else None
    for link, html in seen:
        for personal in ("Zebedee", "Quux", "900999", "zebedee@example.org", "SECRET-REF-1"):
            assert personal not in html, f"{personal} on {link}"
    stock = page.content()
    assert "HUB-A" in stock and "HUB-B" not in stock  # their own hubs, plus network counts
    assert page.locator(".cards li").filter(has_text="laptop").count() == 1


def test_a_delivery_is_checked_row_by_row_then_imported_and_labelled(browser_page, world, tmp_path):
    bad = tmp_path / "delivery.csv"
    bad.write_text(
        "type,make,model,serial,condition,wipe_certificate,programme,location\n"
        "tablet,Samsung,Tab A9,R9DELIV001,A,WIPE-1,DII,WH-MAIN\n"
        "tablet,Samsung,Tab A9,R9DELIV002,Q,WIPE-2,DII,NOWHERE\n"
    )
    page = browser_page()
    sign_in(page, "warehouse", "/deliveries")
    page.get_by_label("The delivery's manifest (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Check it").click()
    bad_row = page.locator("tr.row-bad")
    assert bad_row.count() == 1 and bad_row.locator("th").inner_text() == "3"
    assert bad_row.locator("td.cell-bad").count() == 2  # condition and location, each marked in place
    assert "unknown location 'NOWHERE'" in bad_row.inner_text()
    # Listed by row at the top too, readable at any width, each a link to its row.
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Row 3, Location: unknown location 'NOWHERE'")).to_be_visible()
    screenshot(page, "delivery-preview-errors")
    assert fresh(Asset, serial="R9DELIV001") is None  # nothing stored from a file with errors

    good = tmp_path / "fixed.csv"
    good.write_text(bad.read_text().replace(",Q,", ",B,").replace("NOWHERE", "WH-MAIN"))
    page.get_by_label("The corrected manifest (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Check it again").click()
    page.get_by_role("button", name="Import 2 assets").click()
    # The delivery is named by its day and what came, not by its id.
    expect(page.get_by_text("2 assets received (")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^\d{1,2} \w+ 20\d\d: 2 Samsung tablets$"))).to_be_visible()
    tags = [t.inner_text() for t in page.locator("td a.tag").all()]
    assert len(tags) == 2
    with page.expect_download() as download:
        page.get_by_role("button", name="Print labels").click()
    pages = PdfReader(download.value.path()).pages
    assert len(pages) == 1
    import pypdfium2

    bitmap = pypdfium2.PdfDocument(download.value.path())[0].render(scale=4).to_pil()
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(bitmap))
    assert decoded == sorted(f"{BASE_URL.upper()}/A/{t}" for t in tags)


def test_admin_reports_have_charts_and_a_csv(browser_page, world, make_asset, make_participant, issue):
    issue(make_participant(area="Wirral"), make_asset("tablet").tag)
    page = browser_page()
    sign_in(page, "admin", "/reports")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    assert charts.first.get_attribute("role") == "img"
    assert page.locator("svg.chart title").first.text_content() == "People helped, by area"
    screenshot(page, "reports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    lines = open(download.value.path()).read().splitlines()
    wirral = next(line for line in lines if line.startswith("Wirral,"))
    assert wirral.split(",")[1] == "1"


def test_admin_chooses_report_dates_in_day_month_year_boxes(browser_page, world, make_asset, make_participant, issue):
    issue(make_participant(area="Wirral"), make_asset("tablet").tag)
    page = browser_page()
    sign_in(page, "admin", "/reports")

    def type_date(legend: str, day: str, month: str, year: str) -> None:
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)

    type_date("From", "31", "2", "2026")
    page.get_by_role("button", name="Show").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a real date")
    expect(page.locator("#f-from-error")).to_contain_text("Enter a real date")
    expect(page.get_by_role("group", name="From").get_by_label("Day")).to_have_value("31")  # what was typed is kept
    summary.get_by_role("link").first.click()
    type_date("From", "1", "11", "2026")
    type_date("To", str(TODAY.day), str(TODAY.month), str(TODAY.year))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text(f"from 1 November 2026 to {uk_date(TODAY)}")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename == f"outcomes-2026-11-01-to-{TODAY.isoformat()}.csv"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_chart_text_is_as_large_as_body_text_on_a_phone_and_a_desktop(
    browser_page, world, make_asset, make_participant, issue, viewport
):
    issue(make_participant(area="Wirral"), make_asset("tablet").tag)
    page = browser_page(viewport=viewport)
    sign_in(page, "admin", "/reports")
    expect(page.locator("svg.chart").first).to_be_visible()
    # Each label's and number's size on the screen: its font size in the drawing times the drawing's scale.
    sizes = page.eval_on_selector_all(
        "svg.chart text",
        "texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a)",
    )
    assert sizes and min(sizes) >= (16 if viewport is PHONE else 19), sizes
    assert fits_width(page)
    labels = page.locator("svg.chart").first.locator("text").all_text_contents()
    assert "Wirral" in labels  # the area by name, above its bar
    screenshot(page, f"reports-charts-{viewport['width']}")


def test_admin_adds_a_location_and_a_user(browser_page, world):
    page = browser_page()
    sign_in(page, "admin", "/admin")
    page.get_by_text("Add a location").click()
    form = page.locator("form[action$='/admin/location']")
    form.get_by_label("Code").fill("HUB-C")
    form.get_by_label("Name").fill("Bootle hub")
    form.get_by_label("Kind").select_option("hub")
    form.get_by_label("Area").select_option("Sefton")
    form.get_by_label("Organisation").select_option("PARTNER-B")
    form.get_by_role("button", name="Add the location").click()
    expect(page.get_by_text("Location HUB-C added.")).to_be_visible()
    screenshot(page, "admin")
    page.goto("/admin/users")
    page.get_by_label("Email").fill("new.partner@test.example")
    page.get_by_label("Role").select_option("partner")
    page.get_by_role("button", name="Add the user").click()
    # The service's rule, beside the field and in the summary at the top, whose link leads to the field.
    expect(page.locator("#f-organisation-error")).to_contain_text("Required for partner users.")
    page.locator(".govuk-error-summary").get_by_role("link", name="Required for partner users.").click()
    expect(page.get_by_label("Organisation")).to_be_focused()
    page.get_by_label("Organisation").select_option("PARTNER-B")
    page.get_by_role("button", name="Add the user").click()
    password = page.locator(".success code").inner_text()
    newcomer = browser_page()
    newcomer.goto("/sign-in")
    newcomer.get_by_label("Email").fill("new.partner@test.example")
    newcomer.get_by_label("Password").fill(password)
    newcomer.get_by_role("button", name="Sign in").click()
    expect(newcomer.get_by_role("button", name="Go to your hubs' stock")).to_be_visible()  # a partner's home
    assert urlsplit(newcomer.url).path == "/"


def test_the_camera_button_reads_a_label(browser_page, chromium, world, make_asset, live_server):
    """Chromium's fake camera shows a label's QR code; the app's own barcode reader (barcode-detector and
    zxing-wasm from npm, served from /vendor) reads it into the scan station."""
    from tests.browser.conftest import write_camera_video

    tablet = make_asset("tablet")
    write_camera_video(chromium.fake_video, f"{BASE_URL.upper()}/A/{tablet.tag}")
    page = browser_page()
    page.context.grant_permissions(["camera"], origin=live_server)
    fetched = []
    page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    sign_in(page, "warehouse", "/scan")
    page.get_by_role("button", name="Use the camera").click()
    page.wait_for_selector(f"#scans li.ok[data-tag='{tablet.tag}']", timeout=20_000)
    assert page.locator("#outcome").get_attribute("data-outcome") == "ok"
    if not page.evaluate("'BarcodeDetector' in window"):  # Chromium on Linux has none: the npm reader did it
        assert "/vendor/barcode-detector/ponyfill.js" in fetched and "/vendor/zxing-wasm/zxing_reader.wasm" in fetched
    page.get_by_role("button", name="Stop the camera").click()
    assert page.locator("#camera").is_hidden()
