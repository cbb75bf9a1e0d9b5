"""The scan station, a consignment's packing and a stocktake speak one language of sounds (static/tones.js):
the same outcome plays the same tones on each page. Every oscillator a page starts is recorded by wrapping the
browser's AudioContext before the page loads."""

from __future__ import annotations

from playwright.sync_api import expect

from inventory import clock
from inventory.extensions import unit_of_work
from tests.browser.conftest import sign_in

RECORD_TONES = """
window.__tones = [];
const make = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const osc = make.call(this);
  const start = osc.start.bind(osc);
  osc.start = (when) => { window.__tones.push([osc.type, osc.frequency.value]); return start(when); };
  return osc;
};
"""
UNKNOWN = [["square", 220], ["square", 220]]
GOOD = [["sine", 880]]


def _tones_after(page, label: str, code: str, outcome: str) -> list:
    page.evaluate("window.__tones = []")
    box = page.get_by_label(label)
    box.fill(code)
    box.press("Enter")
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", outcome)
    page.wait_for_function("window.__tones.length > 0")
    return page.evaluate("window.__tones")


def test_the_same_outcome_sounds_the_same_on_the_scan_station_a_consignment_and_a_stocktake(
    browser_page, world, make_asset
):
    from inventory.services import consignments, stocktakes

    tablet, laptop, chair = make_asset("tablet"), make_asset("laptop"), make_asset("chair")
    with unit_of_work():
        box = consignments.create_consignment(to="HUB-A", from_="WH-MAIN", request_id=None, actor=world.warehouse).tag
    with unit_of_work():
        count = stocktakes.open_stocktake("WH-MAIN", world.warehouse, clock.now()).id

    page = browser_page()
    page.context.add_init_script(RECORD_TONES)
    sign_in(page, "warehouse", "/scan?mode=move")
    scan = "Scan or type a code, then Enter"
    assert _tones_after(page, scan, "NOPE", "unknown") == UNKNOWN
    assert _tones_after(page, scan, tablet.tag, "ok") == GOOD

    page.goto(f"/consignments/{box}/pack")
    pack = "Scan or type each item or kit, then Enter"
    assert _tones_after(page, pack, "NOPE", "unknown") == UNKNOWN
    assert _tones_after(page, pack, laptop.tag, "ok") == GOOD

    page.goto(f"/stocktakes/{count}")
    assert _tones_after(page, scan, "NOPE", "unknown") == UNKNOWN
    assert _tones_after(page, scan, chair.tag, "found") == GOOD  # a stocktake's "found" is the station's "ok"
