"""The life cycle table says what DESIGN.md's diagram says."""

from inventory.models import MOVABLE, TRANSITIONS
from inventory.models import AssetStatus as S


def test_owned_and_retired_are_final():
    assert TRANSITIONS[S.OWNED] == frozenset()
    assert TRANSITIONS[S.RETIRED] == frozenset()


def test_every_state_but_owned_can_be_retired():
    for status in S:
        if status not in (S.OWNED, S.RETIRED):
            assert S.RETIRED in TRANSITIONS[status], status


def test_the_paths_of_the_diagram_are_allowed():
    allowed = [(S.RECEIVED, S.IN_STOCK), (S.IN_STOCK, S.IN_KIT), (S.IN_KIT, S.IN_STOCK), (S.IN_STOCK, S.ON_LOAN),
               (S.IN_KIT, S.ON_LOAN), (S.ON_LOAN, S.OWNED), (S.ON_LOAN, S.QUARANTINE), (S.QUARANTINE, S.IN_STOCK),
               (S.QUARANTINE, S.REPAIR), (S.QUARANTINE, S.RETIRED), (S.REPAIR, S.IN_STOCK), (S.REPAIR, S.RETIRED)]
    for a, b in allowed:
        assert b in TRANSITIONS[a], (a, b)


def test_nothing_skips_the_checks_of_the_diagram():
    assert S.IN_STOCK not in TRANSITIONS[S.ON_LOAN]  # a return goes through quarantine
    assert S.OWNED not in TRANSITIONS[S.IN_STOCK]
    assert S.ON_LOAN not in TRANSITIONS[S.QUARANTINE]


def test_only_held_assets_move():
    assert MOVABLE == {S.IN_STOCK, S.IN_KIT, S.QUARANTINE, S.REPAIR}
