"""Returns into quarantine; assessments; ownership on the first pass; the certificate PDF."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from inventory.errors import Conflict, InvalidInput
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, AssetStatus, DataPlan, Kit, KitStatus, Transfer
from inventory.services import assessments, certificates, data_plans, kits, lifecycle, returns
from tests.conftest import TODAY  # noqa: E402 - the suite's one today


def status_of(asset):
    return db.session.scalar(sa.select(Asset.status).where(Asset.id == asset.id))


def record(world, person, score, max_score=20, taken_on=TODAY):
    return assessments.record(
        participant_id=person.id,
        score=score,
        max_score=max_score,
        taken_on=taken_on,
        venue="mobile_unit",
        actor=world.people["advocate"].user,
        today=TODAY,
    )


def test_returning_some_items_quarantines_them_and_ends_the_sims_plan(world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse)
    receipt = issue(make_participant(), kit.tag)
    with unit_of_work():
        returns.return_items(
            receipt["id"],
            world.warehouse,
            location="WH-MAIN",
            today=date(2026, 12, 1),
            items=[sim.tag],
            note="SIM posted back",
        )
    assert status_of(sim) == AssetStatus.QUARANTINE and status_of(tablet) == AssetStatus.ON_LOAN
    plan = db.session.scalars(sa.select(DataPlan)).one()
    assert plan.ended_on == date(2026, 12, 1) and plan.status_on(date(2026, 12, 2)).value == "ended"
    assert db.session.get(Asset, sim.id).kit_id is None
    with unit_of_work():
        returns.return_items(receipt["id"], world.warehouse, location="HUB-A", today=date(2026, 12, 2))
    assert status_of(tablet) == AssetStatus.QUARANTINE
    assert db.session.get(Kit, kit.id).status == KitStatus.DISMANTLED
    with pytest.raises(Conflict, match="already come back"):
        with unit_of_work():
            returns.return_items(receipt["id"], world.warehouse, location="HUB-A", today=date(2026, 12, 2))
    db.session.rollback()
    # Back into stock only with a new wipe certificate.
    with unit_of_work():
        lifecycle.restock(tablet.tag, world.warehouse, wipe_certificate="WIPE-R-1")
    assert status_of(tablet) == AssetStatus.IN_STOCK


def test_a_failed_then_passed_assessment_transfers_everything_on_loan_once(world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    person = make_participant()
    issue(person, tablet.tag, sim.tag)
    failed, none = record(world, person, 13)  # 65% against a 70% pass mark
    assert failed.passed is False and none is None
    passed, transfer = record(world, person, 14)  # exactly 70%
    assert passed.passed is True
    assert sorted(i.asset.tag for i in transfer.items) == sorted([tablet.tag, sim.tag])
    assert status_of(tablet) == status_of(sim) == AssetStatus.OWNED
    again, no_transfer = record(world, person, 20)
    assert again.passed and no_transfer is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 1
    # The free data carries on after the kit becomes theirs, and can still be extended.
    plan = db.session.scalars(sa.select(DataPlan)).one()
    extended = data_plans.extend(plan.id, 2, world.people["advocate"].user, TODAY)
    assert extended.ends_on == date(2027, 7, 22)


def test_owned_assets_can_never_be_issued_moved_kitted_or_returned(world, make_asset, make_participant, issue):
    tablet = make_asset("tablet")
    person = make_participant()
    receipt = issue(person, tablet.tag)
    record(world, person, 20)
    with pytest.raises(Conflict, match="now belongs to the participant"):
        issue(make_participant(), tablet.tag)
    db.session.rollback()
    with pytest.raises(Conflict):
        lifecycle.move(tablet.tag, "HUB-A", world.warehouse)
    db.session.rollback()
    with pytest.raises(Conflict):
        kits.build_kit([tablet.tag], world.warehouse)
    db.session.rollback()
    with pytest.raises(Conflict, match="now belongs to the participant"):
        returns.return_items(receipt["id"], world.warehouse, location="WH-MAIN", today=TODAY)
    db.session.rollback()
    assert status_of(tablet) == AssetStatus.OWNED


def test_a_loan_only_programme_never_transfers(world, make_asset, make_participant, issue):
    from inventory.services import reference

    reference.create_programme(
        code="LEND", name="Lend", connectivity_months=2, ownership_rule="loan_only", assessment_name="L1", pass_mark=50
    )
    chair = make_asset("chair", programme="LEND")
    person = make_participant(programme="LEND")
    issue(person, chair.tag)
    assessment, transfer = record(world, person, 20)
    assert assessment.passed and transfer is None and status_of(chair) == AssetStatus.ON_LOAN


def test_assessment_input_is_checked(world, make_participant):
    person = make_participant()
    with pytest.raises(InvalidInput, match="21 out of 20 is not possible"):
        record(world, person, 21)
    with pytest.raises(InvalidInput, match="in the future"):
        record(world, person, 10, taken_on=date(2026, 11, 23))


def test_the_certificate_is_a_one_page_pdf_listing_each_item(world, make_asset, make_participant, issue):
    tablet = make_asset("tablet", make="Lenovo", model="Tab M10 3rd Gen (TB328XU, LTE)", serial="HAF86E1362")
    sim = make_asset("sim")
    person = make_participant(name="Alex Example")
    issue(person, tablet.tag, sim.tag)
    _, transfer = record(world, person, 18, taken_on=date(2026, 11, 20))
    pdf = certificates.certificate_pdf(certificates.get_transfer(transfer.id, world.people["advocate"].user))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Certificate of ownership" in text and "Digital Inclusion Initiative" in text
    assert "20 November 2026" in text and "Alex Example" in text
    assert "Lenovo" in text and "Tab M10 3rd Gen" in text and "HAF86E1362" in text
    assert "Sim" in text and sim.serial in text
