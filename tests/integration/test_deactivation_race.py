"""Deactivating a location while items are moved to it at the same moment: whichever goes first, no item
ends up at a deactivated location (the move's shared lock on the location row against the deactivation's
exclusive one)."""

from __future__ import annotations

import sqlalchemy as sa

from inventory.errors import DomainError
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, Location, User
from inventory.services import activation, lifecycle
from tests.conftest import at_once


def test_a_move_and_a_deactivation_at_once_never_leave_an_item_at_a_deactivated_location(app, world, make_asset):
    admin_id, warehouse_id = world.admin.id, world.warehouse.id
    for _ in range(3):
        chair = make_asset("chair")

        def move(tag=chair.tag):
            try:
                with unit_of_work():
                    lifecycle.move(tag, "HUB-B", db.session.get(User, warehouse_id))
                return "moved"
            except DomainError as refused:
                return refused.status

        def deactivate():
            try:
                with unit_of_work():
                    activation.set_active("location", "HUB-B", False, db.session.get(User, admin_id))
                return "deactivated"
            except DomainError as refused:
                return refused.status

        outcomes = sorted(map(str, at_once([move, deactivate], app=app)))
        db.session.rollback()
        hub = db.session.scalar(sa.select(Location).where(Location.code == "HUB-B"))
        where = db.session.scalar(sa.select(Asset.location_id).where(Asset.tag == chair.tag))
        # Either the move came first and the deactivation was refused, or the other way round.
        assert outcomes in (["409", "moved"], ["409", "deactivated"]), outcomes
        assert not (where == hub.id and not hub.active)
        # Back to the start for the next round: the chair away, the hub in use.
        with unit_of_work():
            if where == hub.id:
                lifecycle.move(chair.tag, "WH-MAIN", db.session.get(User, warehouse_id))
            activation.set_active("location", "HUB-B", True, db.session.get(User, admin_id))
