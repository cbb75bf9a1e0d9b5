"""The migrated database holds the hub statuses (in_transit, missing) for assets and kits."""

from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, Kit, KitStatus
from inventory.services import kits


def test_the_database_stores_in_transit_and_missing(world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse)
        db.session.flush()
        kit.status = KitStatus.IN_TRANSIT
        for item in kit.items:
            item.status = AssetStatus.IN_TRANSIT
    with unit_of_work():
        db.session.get(Asset, sim.id).go_missing()
    db.session.expire_all()
    assert db.session.get(Kit, kit.id).status == KitStatus.IN_TRANSIT
    assert db.session.get(Asset, tablet.id).status == AssetStatus.IN_TRANSIT
    lost = db.session.get(Asset, sim.id)
    assert lost.status == AssetStatus.MISSING and lost.kit_id is None
