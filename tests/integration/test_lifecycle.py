"""Moving assets through the life cycle; every refusal says which asset, its state and why."""

import pytest
import sqlalchemy as sa

from inventory.errors import Conflict, InvalidInput
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, Event
from inventory.services import counts, lifecycle


def events_of(asset):
    return db.session.execute(
        sa.select(Event.action, Event.from_status, Event.to_status).where(Event.asset_id == asset.id).order_by(Event.id)
    ).all()


def test_move_changes_location_and_writes_the_ledger(world, make_asset):
    tablet = make_asset()
    lifecycle.move(tablet.tag, "hub-a", world.warehouse, "for Tuesday's drop-in")
    db.session.refresh(tablet)
    assert tablet.location.code == "HUB-A"
    event = db.session.scalars(sa.select(Event).where(Event.asset_id == tablet.id).order_by(Event.id.desc())).first()
    assert (event.action, event.from_location.code, event.to_location.code, event.note) == (
        "move",
        "WH-MAIN",
        "HUB-A",
        "for Tuesday's drop-in",
    )


def test_a_return_path_quarantine_repair_restock(world, make_asset):
    tablet = make_asset()
    lifecycle.quarantine(tablet.tag, world.warehouse, note="screen cracked")
    lifecycle.repair(tablet.tag, world.warehouse)
    lifecycle.restock(tablet.tag, world.warehouse, wipe_certificate="WIPE-NEW-1", condition="B")
    db.session.refresh(tablet)
    assert tablet.status == AssetStatus.IN_STOCK
    assert tablet.wipe_certificate == "WIPE-NEW-1" and tablet.condition == "B"
    assert events_of(tablet) == [
        ("receive", None, "in_stock"),
        ("quarantine", "in_stock", "quarantine"),
        ("repair", "quarantine", "repair"),
        ("restock", "repair", "in_stock"),
    ]


def test_restocking_a_device_needs_a_new_wipe_certificate(world, make_asset):
    laptop = make_asset("laptop")
    with unit_of_work():
        lifecycle.quarantine(laptop.tag, world.warehouse)
    with pytest.raises(InvalidInput, match="give the certificate of its data wipe"):
        lifecycle.restock(laptop.tag, world.warehouse)
    db.session.rollback()
    assert db.session.get(Asset, laptop.id).status == AssetStatus.QUARANTINE


def test_furniture_restocks_without_a_certificate(world, make_asset):
    desk = make_asset("desk")
    lifecycle.quarantine(desk.tag, world.warehouse)
    assert lifecycle.restock(desk.tag, world.warehouse).status == AssetStatus.IN_STOCK


def test_refusals_name_the_asset_its_state_and_why(world, make_asset):
    tablet = make_asset()
    lifecycle.retire(tablet.tag, world.warehouse, reason="stolen", note="taken from the bus")
    with pytest.raises(Conflict) as refused:
        lifecycle.move(tablet.tag, "HUB-A", world.warehouse)
    assert refused.value.message == f"{tablet.tag} (tablet) is retired, so it cannot be moved: it has been retired"
    with pytest.raises(Conflict, match="is retired, so it cannot be restocked"):
        lifecycle.restock(tablet.tag, world.warehouse, wipe_certificate="W")


def test_an_owned_asset_can_never_change_again(world, make_asset):
    tablet = make_asset()
    db.session.execute(sa.update(Asset).where(Asset.id == tablet.id).values(status=AssetStatus.OWNED))
    counts.repair()  # a hand-made UPDATE goes behind the kept counts' back; the repair puts them right
    db.session.commit()
    for attempt in (
        lambda: lifecycle.move(tablet.tag, "HUB-A", world.warehouse),
        lambda: lifecycle.quarantine(tablet.tag, world.warehouse),
        lambda: lifecycle.retire(tablet.tag, world.warehouse, reason="lost"),
    ):
        with pytest.raises(Conflict, match="now belongs to the participant"):
            attempt()
        db.session.rollback()
    assert db.session.get(Asset, tablet.id).status == AssetStatus.OWNED


def test_a_refused_change_writes_no_event(world, make_asset):
    tablet = make_asset()
    with unit_of_work():
        lifecycle.retire(tablet.tag, world.warehouse, reason="lost")
    with pytest.raises(Conflict):
        lifecycle.quarantine(tablet.tag, world.warehouse)
    db.session.rollback()
    assert [a for a, _, _ in events_of(tablet)] == ["receive", "retire"]


def test_retire_records_its_reason(world, make_asset):
    sim = make_asset("sim")
    lifecycle.retire(sim.tag, world.warehouse, reason="written_off")
    event = db.session.scalars(sa.select(Event).where(Event.asset_id == sim.id, Event.action == "retire")).one()
    assert event.details == {"reason": "written_off"}


def test_the_ledger_refuses_to_be_rewritten(world, make_asset):
    tablet = make_asset()
    event = db.session.scalars(sa.select(Event).where(Event.asset_id == tablet.id)).one()
    event.note = "edited"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
