"""Several people counting one location at once: real threads, a real threaded HTTP server, a real
database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

import random

import pytest
import requests
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import StocktakeLine
from tests.conftest import at_once

pytestmark = pytest.mark.slow


def test_scans_from_four_people_at_once_add_up(live_server, world, make_asset):
    headers = world.headers["warehouse"]
    shelf = [make_asset("chair", location="HUB-A").tag for _ in range(40)]
    strays = [make_asset("desk", location="WH-MAIN").tag for _ in range(2)]
    stocktake = requests.post(f"{live_server}/api/v1/stocktakes", json={"location": "HUB-A"}, headers=headers).json()
    url = f"{live_server}/api/v1/stocktakes/{stocktake['id']}/scans"

    def counter(seed):
        # Each person scans everything (the strays too), in their own order, a few codes at a time.
        codes = shelf + strays
        random.Random(seed).shuffle(codes)
        answers = []
        for start in range(0, len(codes), 3):
            r = requests.post(url, json={"codes": codes[start : start + 3]}, headers=headers)
            assert r.status_code == 200, r.text
            answers += r.json()["results"]
        return answers

    results = [x for answers in at_once([lambda s=seed: counter(s) for seed in range(4)]) for x in answers]
    # Each item was new to exactly one of the four; the other three were told it was already counted.
    firsts = sorted(x["tag"] for x in results if x["outcome"] != "repeat")
    assert firsts == sorted(shelf + strays)
    assert sum(x["outcome"] == "unexpected" for x in results) == 2
    assert sum(x["outcome"] == "repeat" for x in results) == 3 * 42

    seen = requests.get(f"{live_server}/api/v1/stocktakes/{stocktake['id']}", headers=headers).json()
    assert seen["counts"] == {"expected": 40, "found": 40, "missing": 0, "unexpected": 2}
    db.session.rollback()
    lines = db.session.scalar(
        sa.select(sa.func.count()).select_from(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake["id"])
    )
    assert lines == 42  # one line per item, however many scanned it


def test_two_people_opening_a_count_of_one_place_at_once_get_one_count(live_server, world):
    responses = at_once(
        [
            lambda role=role: requests.post(
                f"{live_server}/api/v1/stocktakes", json={"location": "HUB-A"}, headers=world.headers[role]
            )
            for role in ("warehouse", "partner")
        ]
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    listed = requests.get(f"{live_server}/api/v1/stocktakes", headers=world.headers["admin"]).json()
    assert len(listed) == 1


def test_a_close_racing_scans_keeps_exactly_the_scans_that_were_answered(live_server, world, make_asset):
    headers = world.headers["warehouse"]
    shelf = [make_asset("chair", location="HUB-A").tag for _ in range(30)]
    stocktake = requests.post(f"{live_server}/api/v1/stocktakes", json={"location": "HUB-A"}, headers=headers).json()
    base = f"{live_server}/api/v1/stocktakes/{stocktake['id']}"

    def scanner(tags):
        counted = []
        for tag in tags:
            r = requests.post(f"{base}/scans", json={"codes": [tag]}, headers=headers)
            assert r.status_code in (200, 409), r.text
            if r.status_code == 200:
                counted.append(tag)
        return counted

    def closer():
        r = requests.post(f"{base}/close", json={"missing": "mark_missing", "unexpected": "leave"}, headers=headers)
        assert r.status_code == 200, r.text
        return []

    counted = at_once([lambda: scanner(shelf[:15]), lambda: scanner(shelf[15:]), closer])
    answered = sorted(counted[0] + counted[1])
    final = requests.get(base, headers=headers).json()
    assert final["status"] == "closed"
    assert sorted(final["found"]) == answered  # a scan answered 200 is in the count; a 409 is not
    marked = {o["tag"] for o in final["outcomes"] if o["outcome"] == "marked_missing"}
    assert marked == set(shelf) - set(answered)
