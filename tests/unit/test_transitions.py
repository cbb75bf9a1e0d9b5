"""What an asset or kit in each state lets people do, and what it refuses with which words (no database:
the rules live on the models)."""

import pytest

from inventory.errors import Conflict
from inventory.models import Asset, AssetAction, AssetType, Kit, KitAction, KitStatus
from inventory.models import AssetStatus as S

A = AssetAction


def asset(status: S, *, kit: str | None = None) -> Asset:
    thing = Asset(tag="K7MX3QP", type=AssetType.TABLET, make="M", model="T", status=status)
    if kit:
        thing.kit_id = 1
        thing.kit = Kit(tag=kit, status=KitStatus.ASSEMBLED)
    return thing


def walk(start: S, *actions: AssetAction, kit: str | None = None) -> S:
    thing = asset(start, kit=kit)
    for action in actions:
        thing.apply(action)
        if action is A.UNKIT:
            thing.kit_id, thing.kit = None, None
    return thing.status


def test_the_life_of_the_diagram_can_be_lived():
    assert walk(S.RECEIVED, A.RESTOCK, A.BUILD_KIT) == S.IN_KIT
    assert walk(S.IN_KIT, A.UNKIT, A.ISSUE, A.RETURN, A.REPAIR, A.RESTOCK, A.ISSUE, A.TRANSFER) == S.OWNED
    assert walk(S.IN_KIT, A.ISSUE_WITH_KIT, A.RETURN, A.RETIRE, kit="KKKKKKK") == S.RETIRED
    assert walk(S.IN_STOCK, A.QUARANTINE, A.RESTOCK) == S.IN_STOCK


@pytest.mark.parametrize("status", [S.OWNED, S.RETIRED])
def test_owned_and_retired_assets_refuse_everything(status):
    for action in A:
        assert not asset(status).can(action), action
        with pytest.raises(Conflict):
            asset(status).apply(action)
    assert asset(status).status == status


def test_an_asset_on_loan_is_never_quarantined_or_retired_behind_its_loans_back():
    for action in (A.QUARANTINE, A.RETIRE, A.REPAIR, A.MOVE):
        lent = asset(S.ON_LOAN)
        with pytest.raises(Conflict) as refused:
            lent.apply(action)
        assert "K7MX3QP (tablet) is on_loan" in refused.value.message and "take it back" in refused.value.message
        assert lent.status == S.ON_LOAN
    assert asset(S.ON_LOAN).can(A.RETURN)


def test_an_item_in_a_kit_moves_and_issues_only_with_its_kit():
    item = asset(S.IN_KIT, kit="KKKKKKK")
    with pytest.raises(Conflict) as refused:
        item.apply(A.MOVE)
    assert "is in kit KKKKKKK" in refused.value.message and "move the kit" in refused.value.message
    assert not item.can(A.ISSUE) and item.can(A.ISSUE_WITH_KIT) and item.can(A.RETIRE)


def test_a_return_goes_through_quarantine_and_nothing_skips_a_check():
    assert walk(S.ON_LOAN, A.RETURN) == S.QUARANTINE
    assert not asset(S.IN_STOCK).can(A.TRANSFER)
    assert not asset(S.QUARANTINE).can(A.ISSUE)  # checked (restocked) first
    assert not asset(S.RECEIVED).can(A.ISSUE)  # wiped and checked into stock first


def test_a_kit_moves_and_is_taken_apart_only_while_assembled():
    kit = Kit(tag="KKKKKKK", status=KitStatus.ASSEMBLED)
    kit.apply(KitAction.ISSUE)
    assert kit.status == KitStatus.ON_LOAN and not kit.can(KitAction.MOVE)
    with pytest.raises(Conflict) as refused:
        kit.apply(KitAction.DISMANTLE)
    assert refused.value.message == (
        "kit KKKKKKK is on_loan, so it cannot be taken apart: it is on loan to a participant"
    )
    kit.apply(KitAction.TRANSFER)
    assert kit.status == KitStatus.OWNED and not any(kit.can(a) for a in KitAction)


def test_hub_logistics_statuses_follow_the_design():
    assert walk(S.IN_STOCK, A.DISPATCH, A.RECEIVE) == S.IN_STOCK
    assert walk(S.IN_KIT, A.DISPATCH_WITH_KIT, A.RECEIVE_WITH_KIT, kit="KKKKKKK") == S.IN_KIT
    assert walk(S.IN_STOCK, A.DISPATCH, A.RECEIVE_DAMAGED) == S.QUARANTINE
    for start in (S.IN_STOCK, S.IN_KIT, S.QUARANTINE, S.REPAIR, S.IN_TRANSIT):
        assert walk(start, A.MARK_MISSING) == S.MISSING
    assert walk(S.IN_STOCK, A.MARK_MISSING, A.FOUND) == S.IN_STOCK
    assert walk(S.IN_STOCK, A.MARK_MISSING, A.RETIRE) == S.RETIRED
    for start in (S.RECEIVED, S.ON_LOAN, S.OWNED, S.RETIRED, S.MISSING):
        assert not asset(start).can(A.MARK_MISSING), start


def test_an_item_on_its_way_cannot_be_moved_retired_or_issued_until_it_arrives():
    for action in (A.MOVE, A.RETIRE, A.ISSUE, A.QUARANTINE):
        travelling = asset(S.IN_TRANSIT)
        with pytest.raises(Conflict) as refused:
            travelling.apply(action)
        assert "K7MX3QP (tablet) is in_transit" in refused.value.message
        assert travelling.status == S.IN_TRANSIT
    assert "receive it at its destination" in str(pytest.raises(Conflict, asset(S.IN_TRANSIT).apply, A.MOVE).value)


def test_a_kit_item_is_dispatched_only_with_its_kit_and_goes_missing_out_of_it():
    item = asset(S.IN_KIT, kit="KKKKKKK")
    with pytest.raises(Conflict) as refused:
        item.apply(A.DISPATCH)
    assert "pack its kit" in refused.value.message
    item.go_missing()
    assert item.status == S.MISSING and item.kit is None


def test_moving_a_missing_item_finds_it_there():
    from inventory.models import Location

    lost = asset(S.MISSING)
    hub = Location(code="HUB1", name="Hub")
    lost.move_to(hub)
    assert lost.status == S.IN_STOCK and lost.location is hub


def test_a_kit_travels_and_arrives_assembled():
    kit = Kit(tag="KKKKKKK", status=KitStatus.ASSEMBLED)
    kit.apply(KitAction.DISPATCH)
    assert kit.status == KitStatus.IN_TRANSIT and not kit.can(KitAction.MOVE) and not kit.can(KitAction.ISSUE)
    kit.apply(KitAction.RECEIVE)
    assert kit.status == KitStatus.ASSEMBLED
