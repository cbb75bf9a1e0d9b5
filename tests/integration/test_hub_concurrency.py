"""Two people receiving the same consignment at once (the partner at the hub with a phone, the warehouse
from its desk) leave a consistent state: real threads, a real threaded HTTP server, a real database."""

import pytest
import requests
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Asset, AssetStatus, Consignment, ConsignmentStatus, Event
from tests.conftest import at_once

pytestmark = pytest.mark.slow


def _sent_box(server, world, make_asset, n):
    headers = world.headers["warehouse"]
    items = [make_asset("tablet").tag for _ in range(n)]
    box = requests.post(f"{server}/api/v1/consignments", json={"to": "HUB-A", "from": "WH-MAIN"}, headers=headers)
    tag = box.json()["tag"]
    assert requests.post(f"{server}/api/v1/consignments/{tag}/items", json={"items": items}, headers=headers).ok
    assert requests.post(f"{server}/api/v1/consignments/{tag}/dispatch", json={}, headers=headers).ok
    return tag, items


def _state(tag, items):
    db.session.rollback()
    box = db.session.scalar(sa.select(Consignment).where(Consignment.tag == tag))
    statuses = dict(db.session.execute(sa.select(Asset.tag, Asset.status).where(Asset.tag.in_(items))).all())
    arrivals = db.session.scalars(
        sa.select(Asset.tag).join(Event, Event.asset_id == Asset.id).where(Event.action == "arrive")
    ).all()
    return box, statuses, sorted(arrivals)


def test_two_receivers_scanning_overlapping_halves_receive_each_item_once(live_server, world, make_asset):
    tag, items = _sent_box(live_server, world, make_asset, 6)
    halves = [items[:4], items[2:]]  # two items scanned by both
    people = [world.headers["partner"], world.headers["warehouse"]]
    responses = at_once(
        [
            lambda scanned=scanned, headers=headers: requests.post(
                f"{live_server}/api/v1/consignments/{tag}/receive", json={"items": scanned}, headers=headers
            )
            for scanned, headers in zip(halves, people, strict=True)
        ]
    )
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    # Whoever came second saw the first one's arrivals: the last answer is the whole consignment received.
    assert sorted(r.json()["status"] for r in responses) == ["part_received", "received"]
    box, statuses, arrivals = _state(tag, items)
    assert box.status == ConsignmentStatus.RECEIVED
    assert set(statuses.values()) == {AssetStatus.IN_STOCK}
    assert arrivals == sorted(items)  # one arrival event per item, none twice


def test_a_receive_racing_a_close_leaves_every_item_either_arrived_or_missing(live_server, world, make_asset):
    tag, items = _sent_box(live_server, world, make_asset, 4)
    headers = world.headers["warehouse"]
    responses = at_once(
        [
            lambda: requests.post(
                f"{live_server}/api/v1/consignments/{tag}/receive", json={"items": items[:2]}, headers=headers
            ),
            lambda: requests.post(
                f"{live_server}/api/v1/consignments/{tag}/close", json={"short": "missing"}, headers=headers
            ),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    box, statuses, arrivals = _state(tag, items)
    assert box.status == ConsignmentStatus.CLOSED
    if codes == [200, 200]:  # the receive went first: two arrived, the rest missing
        assert arrivals == sorted(items[:2])
        assert sorted(statuses[t] for t in items) == sorted([AssetStatus.IN_STOCK] * 2 + [AssetStatus.MISSING] * 2)
    else:  # the close went first: the receive was refused (closed), everything missing
        assert codes == [200, 409], [r.text for r in responses]
        assert arrivals == [] and set(statuses.values()) == {AssetStatus.MISSING}
