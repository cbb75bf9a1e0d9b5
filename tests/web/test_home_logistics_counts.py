"""The home page's logistics counts: the warehouse's consignments to pack, the partner's deliveries to
receive and stocktakes due, each linking to a list that shows exactly those rows."""

from __future__ import annotations

import re
from datetime import timedelta

from inventory import clock
from inventory.extensions import unit_of_work
from inventory.services import consignments, stocktakes
from tests.web.conftest import sign_in
from tests.web.test_home_and_caseload_lists import counts


def boxes_on(page) -> set[str]:
    """The consignment tags in the list on the consignments page (below its heading)."""
    text = page.get_data(as_text=True).split('id="list"', 1)[1]
    return set(re.findall(r'/consignments/([A-Z0-9]+)">', text))


def _consignment(world, to: str, items: list[str] = (), dispatch: bool = False):
    with unit_of_work():
        box = consignments.create_consignment(to=to, from_="WH-MAIN", request_id=None, actor=world.warehouse)
        if items:
            consignments.add_items(box.tag, list(items), world.warehouse)
        if dispatch:
            consignments.dispatch(box.tag, world.warehouse, clock.now())
    return box.tag


def test_the_warehouse_counts_consignments_to_pack_and_the_list_shows_them(client, world, make_asset):
    packing = {_consignment(world, "HUB-A"), _consignment(world, "HUB-B")}
    sent = _consignment(world, "HUB-A", [make_asset().tag], dispatch=True)
    sign_in(client, "warehouse@test.example")
    home = counts(client.get("/"))
    assert home["Consignments to pack"] == (2, "/consignments?status=packing")
    listed = client.get("/consignments?status=packing")
    assert boxes_on(listed) == packing and sent not in boxes_on(listed)
    assert sent in boxes_on(client.get("/consignments"))


def test_a_partner_counts_deliveries_to_its_own_hubs_not_yet_received(client, world, make_asset):
    theirs = _consignment(world, "HUB-A", [make_asset().tag, make_asset().tag], dispatch=True)
    _consignment(world, "HUB-B", [make_asset().tag], dispatch=True)  # another organisation's hub
    _consignment(world, "HUB-A")  # still being packed: not on its way
    sign_in(client, "partner@test.example")
    home = counts(client.get("/"))
    assert home["Deliveries to receive"] == (1, "/hub#deliveries")
    hub = client.get("/hub").get_data(as_text=True)
    deliveries = hub.split('id="deliveries"', 1)[1].split("<h2", 1)[0]
    assert re.findall(r"/consignments/([A-Z0-9]+)/receive", deliveries) == [theirs]


def test_a_partner_counts_its_hubs_due_a_stocktake_as_the_stock_page_flags_them(app, client, world, make_asset):
    make_asset(location="HUB-A")
    sign_in(client, "partner@test.example")
    home = counts(client.get("/"))
    assert home["Stocktakes due"] == (1, "/stocktakes#due")  # HUB-A never counted
    with unit_of_work():
        count = stocktakes.open_stocktake("HUB-A", world.people["partner"].user, clock.now())
    with unit_of_work():
        stocktakes.close_stocktake(count.id, "leave", "leave", world.people["partner"].user, clock.now())
    assert counts(client.get("/"))["Stocktakes due"][0] == 0
    page = client.get("/stocktakes").get_data(as_text=True)
    assert 'id="due-locations"' not in page and "Every place has been counted" in page
    days = app.config["STOCKTAKE_DAYS"]
    app.config["CLOCK"].advance(timedelta(days=days))
    sign_in(client, "partner@test.example")  # the session ended while idle
    assert counts(client.get("/"))["Stocktakes due"][0] == 1
    due = client.get("/stocktakes").get_data(as_text=True).split('id="due-locations"', 1)[1].split("</ul>")[0]
    assert "HUB-A" in due and "HUB-B" not in due


def _pages(client, path: str, section: str) -> list[list[str]]:
    """Each page of a list, following its Next page link: the boxes each shows."""
    import html

    pages = []
    while path:
        page = client.get(path)
        assert page.status_code == 200
        text = page.get_data(as_text=True).split(section, 1)[1]
        pages.append(re.findall(r'/consignments/([A-Z0-9]+)(?:/receive)?">', text.split("<h2", 1)[0]))
        following = re.search(r'href="([^"]+)" rel="next"', text)
        path = html.unescape(following.group(1)) if following else None
    return pages


def test_the_consignments_list_pages_on_so_every_box_the_home_page_counts_is_shown(
    client, world, make_asset, monkeypatch
):
    from inventory.web import logistics

    monkeypatch.setattr(logistics, "PAGE_SIZE", 2)
    packing = [_consignment(world, "HUB-A") for _ in range(5)]
    sent = _consignment(world, "HUB-B", [make_asset().tag], dispatch=True)
    sign_in(client, "warehouse@test.example")
    assert counts(client.get("/"))["Consignments to pack"] == (5, "/consignments?status=packing")
    pages = _pages(client, "/consignments?status=packing", 'id="list"')
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [tag for p in pages for tag in p] == packing[::-1]  # newest first, each once
    everything = [tag for p in _pages(client, "/consignments", 'id="list"') for tag in p]
    assert everything == [sent, *packing[::-1]]
    refused = client.get("/consignments?status=packing&cursor=made-up")
    assert refused.status_code == 422 and "There is a problem" in refused.get_data(as_text=True)


def test_the_hub_s_deliveries_page_on_as_far_as_the_home_page_counts(client, world, make_asset, monkeypatch):
    from inventory.web import logistics

    monkeypatch.setattr(logistics, "PAGE_SIZE", 2)
    theirs = [_consignment(world, "HUB-A", [make_asset().tag], dispatch=True) for _ in range(3)]
    sign_in(client, "partner@test.example")
    assert counts(client.get("/"))["Deliveries to receive"] == (3, "/hub#deliveries")
    pages = _pages(client, "/hub", 'id="deliveries"')
    assert [len(p) for p in pages] == [2, 1] and [tag for p in pages for tag in p] == theirs[::-1]
    second = client.get("/hub").get_data(as_text=True)
    assert re.search(r'href="/hub\?cursor=[^"]+#deliveries" rel="next"', second)
