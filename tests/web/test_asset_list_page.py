"""The asset list page: search and filters in the address, paging by cursor, the CSV export, and what each
role sees of it."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from inventory.extensions import unit_of_work
from inventory.services import lifecycle


def tags_on(page) -> list[str]:
    return re.findall(r'href="/[aA]/([A-Z0-9]+)"><span class="app-code">', page.get_data(as_text=True))


def test_search_and_filters_narrow_the_list(as_role, make_asset):
    client, _ = as_role("warehouse")
    tablet = make_asset("tablet", make="Lenovo", model="Tab M10")
    sim = make_asset("sim")
    make_asset("laptop", location="HUB-A")
    assert tags_on(client.get("/assets?q=lenov")) == [tablet.tag]
    assert tags_on(client.get(f"/assets?q={tablet.serial.lower()}")) == [tablet.tag]
    assert tags_on(client.get(f"/assets?q={sim.iccid}")) == [sim.tag]
    assert tags_on(client.get("/assets?type=sim")) == [sim.tag]
    assert len(tags_on(client.get("/assets?location=HUB-A"))) == 1
    refused = client.get("/assets?status=lost-in-space")
    assert refused.status_code == 422 and 'href="#f-status"' in refused.get_data(as_text=True)  # named in the summary


def test_pages_follow_by_cursor_in_either_order(as_role, make_asset):
    client, _ = as_role("warehouse")
    made = [make_asset("chair").tag for _ in range(53)]
    first = client.get("/assets?type=chair")
    assert tags_on(first) == made[:50]
    following = re.search(r'href="([^"]+)" rel="next">', first.get_data(as_text=True)).group(1)
    second = client.get(following.replace("&amp;", "&"))
    assert tags_on(second) == made[50:] and 'rel="next"' not in second.get_data(as_text=True)
    newest = client.get("/assets?type=chair&sort=newest")
    assert tags_on(newest) == made[::-1][:50]
    # A cursor carried over to other filters is refused, not followed.
    cursor = following.split("cursor=")[1]
    other = client.get(f"/assets?type=desk&cursor={cursor}")
    assert other.status_code == 422 and "other filters" in other.get_data(as_text=True)


def test_csv_export_streams_every_row_of_the_filtered_list(as_role, make_asset):
    client, _ = as_role("warehouse")
    made = [make_asset("desk", serial=f"=HYPERLINK({n})" if n == 0 else f"D-{n}").tag for n in range(3)]
    make_asset("sim")
    export = client.get("/assets.csv?type=desk")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [r["tag"] for r in rows] == made
    assert rows[0]["serial"] == "'=HYPERLINK(0)"  # never a formula in a spreadsheet
    assert rows[1]["location"] == "WH-MAIN" and rows[1]["status"] == "in_stock"


def test_partners_see_stock_fields_of_their_own_hubs_only(as_role, make_asset):
    client, _ = as_role("partner")
    ours = make_asset("tablet", location="HUB-A")
    make_asset("tablet", location="HUB-B")
    page = client.get("/assets")
    assert tags_on(page) == [ours.tag]
    assert ours.serial not in page.get_data(as_text=True) and "Serial" not in page.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/assets.csv").get_data(as_text=True))))
    assert [r["tag"] for r in rows] == [ours.tag] and "serial" not in rows[0] and "imei" not in rows[0]
    # Searching by a serial they cannot see finds nothing of another hub's.
    assert tags_on(client.get(f"/assets?q={ours.serial}")) == [ours.tag]


def test_quarantine_older_than_a_week(app, as_role, make_asset, world):
    old, recent = make_asset("tablet"), make_asset("tablet")
    with unit_of_work():
        lifecycle.quarantine(old.tag, world.warehouse)
    app.config["CLOCK"].advance(timedelta(days=8))
    with unit_of_work():
        lifecycle.quarantine(recent.tag, world.warehouse)
    client, _ = as_role("warehouse")
    assert tags_on(client.get("/assets?status=quarantine")) == [old.tag, recent.tag]
    assert tags_on(client.get("/assets?quarantined_days=7")) == [old.tag]
