"""Batch actions from the scan station (services.batches): every item or none, even when two stations
work on overlapping batches at the same moment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, Event
from inventory.services import batches, lifecycle
from tests.conftest import TODAY, at_once


def statuses(*tags):
    db.session.rollback()
    return {t: db.session.scalar(sa.select(Asset.status).where(Asset.tag == t)) for t in tags}


def test_a_refused_item_stops_the_whole_batch_and_says_which(world, make_asset):
    chair, retired = make_asset("chair"), make_asset("desk")
    with unit_of_work():
        lifecycle.retire(retired.tag, world.warehouse, reason="recycled")
    with pytest.raises(batches.BatchRefused) as refused:
        batches.apply("move", [chair.tag, retired.tag], world.warehouse, today=TODAY, location="HUB-B")
    assert refused.value.refusals == {
        retired.tag: f"{retired.tag} (desk) is retired, so it cannot be moved: it has been retired"
    }
    db.session.rollback()
    assert db.session.get(Asset, chair.id).location.code == "WH-MAIN"


def test_a_wrong_location_is_one_error_not_one_per_item(world, make_asset):
    tags = [make_asset("chair").tag for _ in range(3)]
    with pytest.raises(Exception, match="NOWHERE"):
        batches.apply("move", tags, world.warehouse, today=TODAY, location="NOWHERE")


def test_two_stations_restocking_overlapping_batches_at_once(app, world, make_asset):
    first, shared, last = (make_asset("laptop").tag for _ in range(3))
    for tag in (first, shared, last):
        with unit_of_work():
            lifecycle.quarantine(tag, world.warehouse)
    actor_id = world.warehouse.id

    def restock(tags):
        def run():
            from inventory.models import User

            try:
                with unit_of_work():  # as the scan station's request: a refusal rolls the batch back
                    return batches.apply(
                        "restock", tags, db.session.get(User, actor_id), today=TODAY, wipe_certificate="WIPE-RACE"
                    )
            except batches.BatchRefused as refused:
                return refused.refusals

        return run

    outcomes = at_once([restock([first, shared]), restock([shared, last])], app=app)
    assert sorted(isinstance(o, int) for o in outcomes) == [False, True]  # one batch whole, the other refused
    refusal = next(o for o in outcomes if isinstance(o, dict))
    assert list(refusal) == [shared]
    now = statuses(first, shared, last)
    in_stock = [t for t, s in now.items() if s == AssetStatus.IN_STOCK]
    assert len(in_stock) == 2 and shared in in_stock  # the winner's pair, nothing of the loser's
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.action == "restock")) == 2
