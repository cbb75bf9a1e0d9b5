"""Kits: built from specific items in stock at one place, moved as one, taken apart again."""

import pytest
import sqlalchemy as sa

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, Event, Kit, KitStatus
from inventory.services import kits, lifecycle


def status(asset):
    return db.session.scalar(sa.select(Asset.status).where(Asset.id == asset.id))


def test_build_against_a_template(world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag.lower()], world.warehouse, template="dii-tablet")
    assert kit.status == KitStatus.ASSEMBLED and kit.location.code == "WH-MAIN" and kit.programme.code == "DII"
    assert sorted(a.tag for a in kit.items) == sorted([tablet.tag, sim.tag])
    assert status(tablet) == status(sim) == AssetStatus.IN_KIT
    assembled = db.session.scalars(sa.select(Event).where(Event.kit_id == kit.id, Event.action == "assemble")).one()
    assert sorted(assembled.details["items"]) == sorted([tablet.tag, sim.tag])


def test_a_template_mismatch_says_what_is_missing_and_what_is_extra(world, make_asset):
    tablet, other = make_asset("tablet"), make_asset("tablet")
    with pytest.raises(InvalidInput) as refused:
        kits.build_kit([tablet.tag, other.tag], world.warehouse, template="DII-TABLET")
    assert refused.value.message == "The items do not make a DII-TABLET kit: missing 1 sim; 1 tablet more than it needs"
    db.session.rollback()
    assert status(tablet) == AssetStatus.IN_STOCK
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Kit)) == 0


def test_an_item_is_in_at_most_one_kit(world, make_asset):
    tablet, sim, sim2 = make_asset("tablet"), make_asset("sim"), make_asset("sim")
    first = kits.build_kit([tablet.tag, sim.tag], world.warehouse)
    with pytest.raises(Conflict, match=f"already in kit {first.tag}"):
        kits.build_kit([tablet.tag, sim2.tag], world.warehouse)
    db.session.rollback()
    assert status(sim2) == AssetStatus.IN_STOCK


def test_items_must_be_in_stock_at_one_location(world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim", location="HUB-A")
    with pytest.raises(Conflict, match="different locations"):
        kits.build_kit([tablet.tag, sim.tag], world.warehouse)
    db.session.rollback()
    lifecycle.quarantine(sim.tag, world.warehouse)
    with pytest.raises(Conflict, match="is quarantine, so it cannot be put in a kit"):
        kits.build_kit([sim.tag], world.warehouse)


def test_unknown_items_and_templates(world, make_asset):
    tablet = make_asset()
    from inventory.tags import tag_for_number

    with pytest.raises(NotFound, match="No asset has tag"):
        kits.build_kit([tablet.tag, tag_for_number(999_999)], world.warehouse)
    with pytest.raises(InvalidInput, match="Unknown kit template"):
        kits.build_kit([tablet.tag], world.warehouse, template="NOPE")
    with pytest.raises(InvalidInput, match="more than once"):
        kits.build_kit([tablet.tag, tablet.tag.lower()], world.warehouse)


def test_moving_a_kit_moves_every_item_and_items_cannot_move_alone(world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse)
    with pytest.raises(Conflict, match=f"is in kit {kit.tag}, so it cannot be moved on its own"):
        lifecycle.move(tablet.tag, "HUB-B", world.warehouse)
    db.session.rollback()
    with unit_of_work():
        kits.move_kit(kit.tag, "HUB-B", world.warehouse)
    locations = db.session.execute(sa.select(Asset.tag, Asset.location_id).where(Asset.kit_id == kit.id)).all()
    assert {loc for _, loc in locations} == {world.hub_b.id}
    assert db.session.get(Kit, kit.id).location_id == world.hub_b.id


def test_taking_a_kit_apart_returns_items_to_stock_and_keeps_its_tag(world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse)
    with unit_of_work():
        kits.dismantle_kit(kit.tag, world.warehouse)
    assert status(tablet) == status(sim) == AssetStatus.IN_STOCK
    assert db.session.get(Kit, kit.id).status == KitStatus.DISMANTLED
    with pytest.raises(Conflict, match="has been taken apart"):
        with unit_of_work():
            kits.dismantle_kit(kit.tag, world.warehouse)
    db.session.rollback()
    with unit_of_work():
        again = kits.build_kit([tablet.tag, sim.tag], world.warehouse)
    assert again.tag != kit.tag


def test_kit_and_asset_tags_never_collide(world, make_asset):
    tags = {make_asset("chair").tag for _ in range(5)}
    with unit_of_work():
        kit = kits.build_kit(list(tags), world.warehouse)
    assert kit.tag not in tags


def test_items_from_two_programmes_do_not_make_one_kit(world, make_asset):
    a, b = make_asset("chair", programme="DII"), make_asset("chair", programme="HIW")
    with pytest.raises(Conflict, match="different programmes"):
        kits.build_kit([a.tag, b.tag], world.warehouse)
