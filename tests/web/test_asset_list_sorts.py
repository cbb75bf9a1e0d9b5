"""The asset list sorted by tag, type, status or make and model: paged by a cursor over (sort key, id) that
never skips or repeats a row, the CSV export in the same order, and a cursor of another sort refused."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from inventory.extensions import unit_of_work
from inventory.services import lifecycle
from inventory.web import asset_list
from tests.web.test_asset_list_page import tags_on


def _all_pages(client, address: str) -> list[str]:
    seen, page = [], client.get(address)
    while True:
        assert page.status_code == 200
        seen += tags_on(page)
        found = re.search(r'href="([^"]+)" rel="next">', page.get_data(as_text=True))
        if not found:
            return seen
        page = client.get(html.unescape(found.group(1)))


@pytest.fixture
def stock(world, make_asset):
    """Assets with ties in every sort key (two makes, two models, three types, two statuses)."""
    made = []
    for n in range(9):
        kind = ("tablet", "laptop", "router")[n % 3]
        made.append(make_asset(kind, make=("Lenovo", "Acer")[n % 2], model=("Tab M10", "Aspire 3")[n % 4 // 2]))
    with unit_of_work():
        for asset in made[::4]:
            lifecycle.quarantine(asset.tag, world.warehouse)
    return made


@pytest.mark.parametrize(
    "sort, key",
    [
        ("tag", lambda a: (a.tag,)),
        ("type", lambda a: (a.type.value,)),
        ("status", lambda a: (a.status.value,)),
        ("make", lambda a: (a.make, a.model)),
        ("newest", lambda a: (-a.id,)),
    ],
)
def test_each_sort_pages_through_every_asset_once_in_order(as_role, stock, monkeypatch, sort, key):
    monkeypatch.setattr(asset_list, "PAGE_SIZE", 2)
    client, _ = as_role("warehouse")
    from inventory.extensions import db
    from inventory.models import Asset

    fresh = [db.session.get(Asset, a.id) for a in stock]
    expected = [a.tag for a in sorted(fresh, key=lambda a: (*key(a), a.id))]
    assert _all_pages(client, f"/assets?sort={sort}") == expected
    exported = list(csv.DictReader(io.StringIO(client.get(f"/assets.csv?sort={sort}").get_data(as_text=True))))
    assert [row["tag"] for row in exported] == expected


def test_sorting_keeps_the_filters_and_a_cursor_of_another_sort_is_refused(as_role, stock, monkeypatch):
    monkeypatch.setattr(asset_list, "PAGE_SIZE", 2)
    client, _ = as_role("warehouse")
    tablets = sorted((a for a in stock if a.type.value == "tablet"), key=lambda a: (a.make, a.model, a.id))
    assert _all_pages(client, "/assets?type=tablet&sort=make") == [a.tag for a in tablets]
    first = client.get("/assets?sort=make").get_data(as_text=True)
    following = html.unescape(re.search(r'href="([^"]+)" rel="next">', first).group(1))
    assert client.get(following.replace("sort=make", "sort=tag")).status_code == 422
    assert client.get(following.replace("sort=make", "sort=oldest")).status_code == 422
    assert client.get(following[:-4] + "abcd").status_code == 422
    assert client.get("/assets?sort=colour").status_code == 422
    assert 'value="make" selected' in first or '<option value="make" selected' in first
