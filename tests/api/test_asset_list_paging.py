"""The asset list at scale: search by index (same answers as the OR it replaced), paging by cursor."""

import json
from urllib.parse import urlsplit

import pytest
from flask import current_app
from itsdangerous import URLSafeSerializer

from inventory.api import common

PARTNER_FIELDS = {"tag", "type", "make", "model", "condition", "programme", "location", "status", "kit"}


def _tags(client, path, headers):
    r = client.get(path, headers=headers)
    assert r.status_code == 200, r.json
    return [a["tag"] for a in r.json]


@pytest.fixture
def stock(make_asset, luhn):
    return {
        "tablet": make_asset("tablet", imei=luhn("35875611649487"), serial="HAF86E1362"),
        "sim": make_asset("sim"),
        "chair": make_asset("chair", make="IKEA", model="Markus"),
        "laptop": make_asset("laptop", make="Lenovo", model="ThinkPad E14"),
    }


def test_search_finds_each_identifier_exactly(client, world, stock):
    headers = world.headers["warehouse"]
    tablet, sim = stock["tablet"], stock["sim"]
    assert _tags(client, f"/api/v1/assets?q={tablet.tag.lower()}", headers) == [tablet.tag]
    assert _tags(client, "/api/v1/assets?q=haf86e1362", headers) == [tablet.tag]  # serials are upper case
    assert _tags(client, f"/api/v1/assets?q={tablet.imei}", headers) == [tablet.tag]
    assert _tags(client, f"/api/v1/assets?q={sim.iccid}", headers) == [sim.tag]
    assert _tags(client, f"/api/v1/assets?q=%20{sim.iccid}%20", headers) == [sim.tag]


def test_search_by_the_start_of_a_make_or_model_ignores_case(client, world, stock):
    headers = world.headers["warehouse"]
    assert _tags(client, "/api/v1/assets?q=ikea", headers) == [stock["chair"].tag]
    assert _tags(client, "/api/v1/assets?q=thinkP", headers) == [stock["laptop"].tag]
    assert _tags(client, "/api/v1/assets?q=galaxy", headers) == [stock["tablet"].tag, stock["sim"].tag]
    assert _tags(client, "/api/v1/assets?q=galaxy&type=sim", headers) == [stock["sim"].tag]
    assert _tags(client, "/api/v1/assets?q=pad", headers) == []  # the start, not a fragment in the middle


def test_a_search_counts_each_asset_once_whichever_columns_match(client, world, stock, make_asset):
    make_asset("tablet", make="Fairphone", model="Fairphone 4")
    make_asset("tablet", make="Fairphone", model="Fairphone 4", location="HUB-A")
    make_asset("tablet", make="fairPHONE", model="Gen 5")

    def total(path, headers):
        r = client.get(path, headers=headers)
        return json.loads(r.headers["X-Pagination"])["total"], len(r.json)

    # Counted from the search's own ids (make and model both match, but each asset is one row).
    assert total("/api/v1/assets?q=FAIRph", world.headers["warehouse"]) == (3, 3)
    assert total("/api/v1/assets?q=fairph&page_size=2", world.headers["warehouse"]) == (3, 2)
    # With another filter, or for a partner (their hubs only), counted from the list itself.
    assert total("/api/v1/assets?q=fairph&location=HUB-A", world.headers["warehouse"]) == (1, 1)
    assert total("/api/v1/assets?q=fairph", world.headers["partner"]) == (1, 1)


def test_search_without_a_match_or_with_wildcards_finds_nothing(client, world, stock):
    headers = world.headers["warehouse"]
    assert _tags(client, "/api/v1/assets?q=zzqx", headers) == []
    assert _tags(client, "/api/v1/assets?q=%25", headers) == []  # a typed % is a percent sign, not a wildcard
    assert _tags(client, "/api/v1/assets?q=_", headers) == []


def test_an_asset_matching_several_ways_is_listed_once(client, world, make_asset):
    asset = make_asset("laptop", make="Dell", model="GALAXY1 Pro", serial="GALAXY1")
    assert _tags(client, "/api/v1/assets?q=galaxy1", world.headers["warehouse"]) == [asset.tag]


def _walk(client, headers, first, between=None):
    """Follow the Link header from `first` to the last page; answer the tags seen, page by page."""
    pages, path = [], first
    while path:
        r = client.get(path, headers=headers)
        assert r.status_code == 200, r.json
        pages.append([a["tag"] for a in r.json])
        if "Link" not in r.headers:
            assert "X-Next-Cursor" not in r.headers
            break
        link = r.headers["Link"]
        assert link.endswith('>; rel="next"') and r.headers["X-Next-Cursor"] in link
        url = urlsplit(link[1 : link.index(">")])
        path = f"{url.path}?{url.query}"
        if between:
            between(len(pages))
    return pages


def test_cursor_pages_walk_every_row_once_in_order_while_rows_are_added(client, world, make_asset):
    made = [make_asset("tablet").tag for _ in range(7)]
    added = []
    pages = _walk(
        client,
        world.headers["warehouse"],
        "/api/v1/assets?type=tablet&page_size=3",
        between=lambda n: added.append(make_asset("tablet").tag) if n <= 2 else None,
    )
    seen = [tag for page in pages for tag in page]
    assert seen == made + added and len(set(seen)) == len(seen)
    assert [len(page) for page in pages] == [3, 3, 3]


def test_a_cursor_page_has_no_count_and_the_first_page_still_has_one(client, world, make_asset):
    for _ in range(3):
        make_asset("chair")
    headers = world.headers["warehouse"]
    first = client.get("/api/v1/assets?page_size=2", headers=headers)
    assert json.loads(first.headers["X-Pagination"])["total"] == 3
    second = client.get(f"/api/v1/assets?page_size=2&cursor={first.headers['X-Next-Cursor']}", headers=headers)
    assert len(second.json) == 1 and "X-Pagination" not in second.headers and "X-Next-Cursor" not in second.headers


def test_past_the_count_cap_the_total_is_more_than_and_pages_by_number_stop(client, world, make_asset, monkeypatch):
    monkeypatch.setattr(common, "COUNT_CAP", 4)
    for _ in range(6):
        make_asset("chair")
    headers = world.headers["warehouse"]
    r = client.get("/api/v1/assets?page_size=2", headers=headers)
    meta = json.loads(r.headers["X-Pagination"])
    assert meta["more_than"] == 4 and "total" not in meta and meta["next_page"] == 2
    last = client.get("/api/v1/assets?page_size=2&page=2", headers=headers)
    assert last.status_code == 200 and "next_page" not in json.loads(last.headers["X-Pagination"])
    deep = client.get("/api/v1/assets?page_size=2&page=3", headers=headers)
    assert deep.status_code == 422 and "X-Next-Cursor" in deep.json["message"]
    assert sum(_walk(client, headers, "/api/v1/assets?page_size=2"), []) == _tags(
        client, "/api/v1/assets?page_size=6", headers
    )


def test_a_bad_or_tampered_cursor_is_a_clear_422(client, world, make_asset):
    for _ in range(3):
        make_asset("tablet")
    headers = world.headers["warehouse"]
    good = client.get("/api/v1/assets?type=tablet&page_size=1", headers=headers).headers["X-Next-Cursor"]
    payload, signature = good.rsplit(".", 1)
    forged = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="list-cursor")
    for cursor, message in (
        ("abc", "The cursor is not one this list gave out"),
        (f"{payload}.{signature[::-1]}", "The cursor is not one this list gave out"),
        (URLSafeSerializer("another key", salt="list-cursor").dumps({"after": 1}), "not one this list gave out"),
        (forged.dumps({"after": "1"}), "The cursor is not one this list gave out"),
        (forged.dumps([1]), "The cursor is not one this list gave out"),
        (forged.dumps({"after": 2**70}), "The cursor is not one this list gave out"),
    ):
        r = client.get(f"/api/v1/assets?type=tablet&page_size=1&cursor={cursor}", headers=headers)
        assert r.status_code == 422 and message in r.json["message"], (cursor, r.json)
        assert "cursor" in str(r.json["errors"])
    other = client.get(f"/api/v1/assets?type=sim&page_size=1&cursor={good}", headers=headers)
    assert other.status_code == 422 and other.json["message"] == "The cursor belongs to a list with other filters"


def test_a_partner_pages_and_searches_only_its_own_hub_with_stock_fields(client, world, make_asset):
    own = [make_asset("chair", location="HUB-A").tag for _ in range(3)]
    elsewhere = [make_asset("chair", location="HUB-B").tag, make_asset("chair").tag]
    headers = world.headers["partner"]
    pages = _walk(client, headers, "/api/v1/assets?page_size=2")
    assert sum(pages, []) == own
    assert _tags(client, f"/api/v1/assets?q={elsewhere[0]}", headers) == []
    assert _tags(client, f"/api/v1/assets?q={own[1]}", headers) == [own[1]]
    assert all(set(a) == PARTNER_FIELDS for a in client.get("/api/v1/assets?q=samsung", headers=headers).json)
