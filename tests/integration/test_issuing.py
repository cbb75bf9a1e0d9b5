"""Issuing: everything checked first, then one transaction; data plans for SIMs; idempotent retries."""

from datetime import date

import pytest
import sqlalchemy as sa

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, DataPlan, Event, Kit, KitStatus, Loan, LoanItem, Programme
from inventory.services import issuing, kits
from tests.conftest import TODAY  # noqa: E402 - the suite's one today


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def status_of(asset):
    return db.session.scalar(sa.select(Asset.status).where(Asset.id == asset.id))


def test_issuing_a_kit_puts_every_item_on_loan_and_starts_a_data_plan(world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET")
    person = make_participant()
    receipt = issue(person, kit.tag.lower(), issued_on=date(2026, 8, 31))
    assert sorted(receipt["items"]) == sorted([tablet.tag, sim.tag]) and receipt["kits"] == [kit.tag]
    assert receipt["issued_on"] == "2026-08-31"
    assert receipt["data_plans"] == [
        {
            "id": receipt["data_plans"][0]["id"],
            "sim": sim.tag,
            "starts_on": "2026-08-31",
            "ends_on": "2027-02-28",
            "status": "active",
            "days_left": 98,
        }
    ]
    assert status_of(tablet) == status_of(sim) == AssetStatus.ON_LOAN
    assert db.session.get(Kit, kit.id).status == KitStatus.ON_LOAN
    issued = db.session.scalars(sa.select(Event).where(Event.action == "issue", Event.asset_id.is_not(None))).all()
    assert {e.asset_id for e in issued} == {tablet.id, sim.id}
    assert all(e.details == {"loan": receipt["id"]} for e in issued)  # a loan number, never a name


def test_a_leap_year_plan(world, make_asset, make_participant, issue):
    sim = make_asset("sim")
    receipt = issue(make_participant(), sim.tag, issued_on=date(2027, 8, 31), today=date(2027, 9, 1))
    assert receipt["data_plans"][0]["ends_on"] == "2028-02-29"


def test_refusals_change_nothing(world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    person = make_participant()
    cases = [
        (dict(agreement_accepted=False), InvalidInput, "accept the loan agreement"),
        (dict(issued_on=date(2026, 11, 23)), InvalidInput, "is in the future"),
        (dict(participant_id=999999), NotFound, "No participant with this id"),
        (
            dict(items=[tablet.tag, tablet.tag[:-1] + ("2" if tablet.tag[-1] != "2" else "3")]),
            InvalidInput,
            "failed its check character",
        ),
    ]
    for override, error, message in cases:
        args = dict(
            participant_id=person.id,
            items=[tablet.tag, sim.tag],
            agreement_accepted=True,
            issued_on=TODAY,
            actor=world.people["advocate"].user,
            today=TODAY,
        )
        args.update(override)
        with pytest.raises(error, match=message):
            issuing.issue(**args)
        db.session.rollback()
    assert count(Loan) == count(LoanItem) == count(DataPlan) == 0
    assert status_of(tablet) == status_of(sim) == AssetStatus.IN_STOCK


def test_one_unavailable_item_refuses_the_whole_loan(world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    from inventory.services import lifecycle

    lifecycle.quarantine(sim.tag, world.warehouse)
    with pytest.raises(Conflict, match=f"{sim.tag} \\(sim\\) is quarantine, so it cannot be issued"):
        issue(make_participant(), tablet.tag, sim.tag)
    db.session.rollback()
    assert status_of(tablet) == AssetStatus.IN_STOCK and count(Loan) == 0


def test_an_item_of_a_kit_is_issued_with_its_kit(world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse)
    with pytest.raises(Conflict, match=f"is in kit {kit.tag}: issue the kit"):
        issue(make_participant(), tablet.tag)


def test_an_advocate_issues_only_to_their_own_caseload(world, make_asset, make_participant, issue):
    from inventory.services import users

    other, _ = users.create_user("other.advocate@test.example", "advocate", password="correct horse battery")
    theirs = make_participant(advocate=other)
    with pytest.raises(NotFound):
        issue(theirs, make_asset("sim").tag)


def test_items_of_another_programme_are_refused(world, make_asset, make_participant, issue):
    laptop = make_asset("laptop", programme="HIW")
    with pytest.raises(Conflict, match="belongs to programme HIW"):
        issue(make_participant(programme="DII"), laptop.tag)


def test_a_retry_with_the_same_key_returns_the_first_answer_and_issues_nothing_twice(
    world, make_asset, make_participant, issue
):
    sim = make_asset("sim")
    person = make_participant()
    first = issue(person, sim.tag, idempotency_key="visit-42", body_hash="h1")
    again = issue(person, sim.tag, idempotency_key="visit-42", body_hash="h1")
    assert again == first
    assert count(Loan) == 1 and count(DataPlan) == 1
    with pytest.raises(InvalidInput, match="already used for a different request"):
        issue(person, sim.tag, idempotency_key="visit-42", body_hash="h2")


def test_an_on_issue_programme_transfers_at_issue(world, make_asset, make_participant, issue):
    from inventory.services import reference

    reference.create_programme(
        code="GIFT", name="Gift", connectivity_months=3, ownership_rule="on_issue", assessment_name="L1", pass_mark=70
    )
    chair = make_asset("chair", programme="GIFT")
    receipt = issue(make_participant(programme="GIFT"), chair.tag)
    assert receipt["transfer"]["assets"] == [chair.tag]
    assert status_of(chair) == AssetStatus.OWNED


def test_two_admins_adding_agreement_versions_at_once_get_one_version_each(app, world):
    from inventory.models import Agreement
    from inventory.services import agreements
    from tests.conftest import TODAY, at_once

    programme_id = world.dii.id

    def add(text):
        def call():
            with unit_of_work():
                programme = db.session.get(Programme, programme_id)
                return agreements.add_version(programme, text, None, TODAY).version

        return call

    versions = at_once([add("first"), add("second"), add("third")], app)
    assert sorted(versions) == [2, 3, 4]  # version 1 came with the programme
    db.session.rollback()  # this thread's snapshot predates the threads' commits
    stored = db.session.scalars(sa.select(Agreement.version).where(Agreement.programme_id == programme_id))
    assert sorted(stored) == [1, 2, 3, 4]
