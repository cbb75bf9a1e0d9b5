"""The stocktake pages without a browser: the stock page's last counts and their flags, counting through
the forms (no JavaScript), the JSON the live page uses, and who may open them."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from inventory import clock
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus
from inventory.services import stocktakes, users
from tests.conftest import TODAY
from tests.web.conftest import csrf_from, new_request_context, sign_in


def _counted(location: str, actor, days_ago: int) -> None:
    """A stocktake of `location` closed `days_ago` days before the suite's today."""
    when = datetime.combine(TODAY - timedelta(days=days_ago), time(10), tzinfo=UTC)
    with unit_of_work():
        stocktake = stocktakes.open_stocktake(location, actor, when)
    with unit_of_work():
        stocktakes.close_stocktake(stocktake.id, "leave", "leave", actor, when)


def _row(page: str, code: str) -> str:
    return re.search(rf'<tr[^>]* data-location="{code}">.*?</tr>', page, re.S).group(0)


def test_the_stock_page_shows_each_location_s_last_count_and_flags_the_overdue(app, client, world):
    _counted("HUB-A", world.admin, 120)
    _counted("HUB-A", world.admin, 100)  # the later one counts
    _counted("HUB-B", world.admin, 89)
    sign_in(client, "admin@test.example")
    page = client.get("/stock").get_data(as_text=True)
    hub_a, hub_b, warehouse = _row(page, "HUB-A"), _row(page, "HUB-B"), _row(page, "WH-MAIN")
    assert (TODAY - timedelta(days=100)).strftime("%-d %B %Y") in hub_a and "Due for a count" in hub_a
    assert (TODAY - timedelta(days=89)).strftime("%-d %B %Y") in hub_b and "Due for a count" not in hub_b
    assert "Never counted" in warehouse and "Due for a count" in warehouse

    app.config["STOCKTAKE_DAYS"] = 30
    try:
        page = client.get("/stock").get_data(as_text=True)
    finally:
        app.config["STOCKTAKE_DAYS"] = 90
    assert "Due for a count" in _row(page, "HUB-B")
    assert "not counted for 30 days" in page


def test_a_partner_s_stock_page_lists_only_its_own_hubs_counts(client, world):
    _counted("HUB-B", world.admin, 1)
    sign_in(client, "partner@test.example")
    page = client.get("/stock").get_data(as_text=True)
    assert 'data-location="HUB-A"' in page and 'data-location="HUB-B"' not in page


def test_counting_through_the_forms_without_javascript(client, world, make_asset):
    here, stray = make_asset("chair", location="HUB-A"), make_asset("tablet", location="WH-MAIN")
    lost = make_asset("desk", location="HUB-A")
    sign_in(client, "partner@test.example")
    token = csrf_from(client.get("/stocktakes"))
    opened = client.post("/stocktakes", data={"location": "HUB-A", "csrf_token": token})
    assert opened.status_code == 302
    path = opened.headers["Location"]
    new_request_context()
    for code in (here.tag, stray.serial, here.tag, "NOT-A-THING"):
        client.post(f"{path}/scan", data={"code": code, "csrf_token": token})
        new_request_context()
    page = client.get(path).get_data(as_text=True)
    assert re.search(r'data-count="found">1<', page) and re.search(r'data-count="unexpected">1<', page)
    assert lost.tag in page and stray.tag in page
    assert "WH-MAIN" not in page  # recorded at the warehouse: a partner sees its tag and type only

    closed = client.post(
        f"{path}/close", data={"missing": "mark_missing", "unexpected": "move_here", "csrf_token": token}
    )
    assert closed.status_code == 302
    db.session.rollback()
    status = dict(
        db.session.execute(sa.select(Asset.tag, Asset.status).where(Asset.tag.in_([stray.tag, lost.tag]))).all()
    )
    assert status == {stray.tag: AssetStatus.IN_STOCK, lost.tag: AssetStatus.MISSING}
    page = client.get(path).get_data(as_text=True)
    assert "What closing did" in page and "moved here" in page and "marked missing" in page
    report = client.get(f"{path}/report.pdf")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")


def test_the_live_page_s_json_scan_and_counts(client, world, make_asset):
    chair = make_asset("chair", location="HUB-A")
    sign_in(client, "warehouse@test.example")
    token = csrf_from(client.get("/stocktakes"))
    path = client.post("/stocktakes", data={"location": "HUB-A", "csrf_token": token}).headers["Location"]
    new_request_context()
    first = client.post(
        f"{path}/scan", data={"code": chair.tag, "csrf_token": token}, headers={"Accept": "application/json"}
    )
    assert first.json["row"]["outcome"] == "found" and first.json["counts"]["found"] == 1
    new_request_context()
    again = client.post(
        f"{path}/scan", data={"code": chair.tag, "csrf_token": token}, headers={"Accept": "application/json"}
    )
    assert again.json["row"]["outcome"] == "repeat"
    new_request_context()
    unknown = client.post(
        f"{path}/scan", data={"code": "SN-NOT-OURS-99", "csrf_token": token}, headers={"Accept": "application/json"}
    )
    assert unknown.json["row"]["outcome"] == "unknown" and "SN-NOT-OURS-99" in unknown.json["row"]["message"]
    live = client.get(f"{path}/counts.json").json
    assert live["counts"] == {"expected": 1, "found": 1, "missing": 0, "unexpected": 0} and live["status"] == "open"


@pytest.mark.parametrize("role", ["advocate", "other partner"])
def test_who_may_not_count_is_refused(client, world, role):
    _counted("HUB-A", world.admin, 1)
    with unit_of_work():
        stocktake = stocktakes.open_stocktake("HUB-A", world.admin, clock.now())
    if role == "other partner":
        with unit_of_work():
            users.create_user("b@test.example", "partner", password="correct horse battery", organisation="PARTNER-B")
        sign_in(client, "b@test.example")
        expected = 404
    else:
        sign_in(client, "advocate@test.example")
        expected = 403
    for path in (
        f"/stocktakes/{stocktake.id}",
        f"/stocktakes/{stocktake.id}/counts.json",
        f"/stocktakes/{stocktake.id}/report.pdf",
    ):
        assert client.get(path).status_code == expected, path
    token = csrf_from(client.get("/stock"))
    new_request_context()
    scan = client.post(f"/stocktakes/{stocktake.id}/scan", data={"code": "X", "csrf_token": token})
    assert scan.status_code == expected
