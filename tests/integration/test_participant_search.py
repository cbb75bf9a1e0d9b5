"""Participant search by a piece of the reference or name (a union of indexed look-ups), and by reference."""

from inventory.extensions import db, unit_of_work
from inventory.services import participants, users


def _references(viewer, **args):
    return [p.reference for p in db.session.scalars(participants.participant_query(viewer, **args)).unique()]


def test_a_piece_of_the_reference_or_the_name_finds_them_in_any_case(world, make_participant):
    advocate = world.people["advocate"].user
    make_participant(reference="KNW-0042", name="Ada Lovelace")
    make_participant(reference="SEF-0043", name="Grace Hopper")
    make_participant(reference="ADA-0044", name="Alan Turing")
    assert _references(advocate, search="ada") == ["KNW-0042", "ADA-0044"]  # by name, and by reference, once each
    assert _references(advocate, search=" hopp ") == ["SEF-0043"]
    assert _references(advocate, search="-004") == ["KNW-0042", "SEF-0043", "ADA-0044"]
    assert _references(advocate, search="nobody") == []
    assert _references(advocate, search="%") == []  # typed literally, not a wildcard
    assert _references(advocate, reference="SEF-0043") == ["SEF-0043"]


def test_a_search_finds_only_the_advocates_own_caseload(world, make_participant):
    with unit_of_work():
        other, _ = users.create_user("other.advocate@test.example", "advocate", password="correct horse battery")
    make_participant(reference="MINE-1", name="Shared Surname")
    make_participant(reference="THEIRS-1", name="Shared Surname", advocate=other)
    assert _references(world.people["advocate"].user, search="surname") == ["MINE-1"]
    assert _references(world.people["admin"].user, search="surname") == ["MINE-1", "THEIRS-1"]
