"""Outcome reports by programme and area; subject access, erasure and the retention run."""

from datetime import date

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Event, Participant
from inventory.services import assessments, privacy, reports, returns
from tests.conftest import TODAY  # noqa: E402 - the suite's one today


def record(world, person, score, taken_on=TODAY):
    return assessments.record(
        participant_id=person.id,
        score=score,
        max_score=20,
        taken_on=taken_on,
        venue="classroom",
        actor=world.people["advocate"].user,
        today=TODAY,
    )


def row(report, area):
    return next(r for r in report["rows"] if r["area"] == area)


def test_outcomes_count_by_area(world, make_asset, make_participant, issue):
    a = make_participant(area="Knowsley")
    b = make_participant(area="Wirral")
    c = make_participant(area="Wirral", programme="HIW")
    from inventory.services import kits

    kit = kits.build_kit([make_asset("tablet").tag, make_asset("sim").tag], world.warehouse)
    issue(a, kit.tag, issued_on=date(2026, 10, 1))
    issue(b, make_asset("sim").tag, issued_on=date(2026, 6, 1))
    issue(c, make_asset("laptop", programme="HIW").tag, issued_on=date(2026, 11, 1))
    record(world, a, 19, taken_on=date(2026, 11, 1))
    record(world, b, 5, taken_on=date(2026, 11, 2))
    report = reports.outcomes(today=TODAY, programme="DII", date_from=date(2026, 9, 1), date_to=TODAY)
    knowsley, wirral = row(report, "Knowsley"), row(report, "Wirral")
    assert knowsley["kits_issued"] == 1 and knowsley["assets_issued"]["tablet"] == 1
    assert knowsley["assets_issued"]["sim"] == 1
    assert knowsley["assessments_taken"] == 1 and knowsley["assessments_passed"] == 1
    assert knowsley["ownership_transfers"] == 1 and knowsley["assets_transferred"] == 2
    assert knowsley["data_plans_active"] == 1 and knowsley["data_plans_ending_30_days"] == 0
    # Wirral's SIM was issued in June (outside the period) and its 6-month plan ends on 1 December.
    assert wirral["assets_issued"]["sim"] == 0 and wirral["assessments_taken"] == 1
    assert wirral["assessments_passed"] == 0
    assert wirral["data_plans_active"] == 1 and wirral["data_plans_ending_30_days"] == 1
    assert report["totals"]["assessments_taken"] == 2 and report["totals"]["participants"] == 2
    assert report["totals"]["assets_issued"]["laptop"] == 0  # HIW is not in this report
    everyone = reports.outcomes(today=TODAY)
    assert everyone["totals"]["assets_issued"]["laptop"] == 1 and everyone["totals"]["participants"] == 3


def test_ended_plans_and_the_csv_has_no_personal_data(world, make_asset, make_participant, issue):
    person = make_participant(name="Sam Sample", email="sam@example.org")
    receipt = issue(person, make_asset("sim").tag, issued_on=date(2026, 10, 1))
    returns.return_items(receipt["id"], world.warehouse, location="WH-MAIN", today=date(2026, 11, 10))
    report = reports.outcomes(today=TODAY, date_from=date(2026, 11, 1), date_to=TODAY)
    assert row(report, "Knowsley")["data_plans_ended"] == 1 and row(report, "Knowsley")["data_plans_active"] == 0
    text = reports.as_csv(report)
    lines = text.splitlines()
    assert lines[0].startswith("area,participants,kits_issued,") and len(lines) == 8  # header, six areas, total
    assert "Sam" not in text and "example.org" not in text and person.reference not in text


def test_export_holds_everything_and_erasure_keeps_the_history(world, make_asset, make_participant, issue):
    tablet = make_asset("tablet")
    person = make_participant(name="Jo Bloggs", phone="07700900777", email="jo@example.org")
    issue(person, tablet.tag)
    record(world, person, 20)
    export = privacy.export(person.id, world.admin, TODAY)
    assert export["name"] == "Jo Bloggs" and export["phone"] == "+447700900777"
    assert export["loans"][0]["items"][0]["tag"] == tablet.tag and export["transfers"][0]["assets"] == [tablet.tag]
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    privacy.erase(person.id, world.admin)
    erased = db.session.get(Participant, person.id)
    assert (erased.name, erased.phone, erased.email, erased.contact_consent) == (None, None, None, False)
    assert erased.reference == person.reference and erased.erased_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events_before
    after = privacy.export(person.id, world.admin, TODAY)
    assert after["name"] is None and after["erased"] is True and after["transfers"][0]["assets"] == [tablet.tag]


def test_retention_erases_only_those_whose_involvement_ended_long_ago(world, make_asset, make_participant, issue):
    old = make_participant(name="Old Timer")
    current = make_participant(name="Still Borrowing")
    recent = make_participant(name="Recent Pass")
    db.session.execute(sa.update(Participant).values(created_at=sa.literal(date(2020, 1, 1))))
    db.session.commit()
    issue(old, make_asset("chair").tag, issued_on=date(2022, 1, 10), today=date(2022, 1, 10))
    record(world, old, 20, taken_on=date(2022, 3, 1))  # owned since March 2022
    issue(current, make_asset("desk").tag, issued_on=date(2022, 1, 10), today=date(2022, 1, 10))  # still on loan
    issue(recent, make_asset("chair").tag, issued_on=date(2022, 1, 10), today=date(2022, 1, 10))
    record(world, recent, 20, taken_on=date(2025, 6, 1))
    assert len(privacy.anonymise_expired(TODAY, 24)) == 1
    names = dict(db.session.execute(sa.select(Participant.id, Participant.name)).all())
    assert names == {old.id: None, current.id: "Still Borrowing", recent.id: "Recent Pass"}
    assert privacy.anonymise_expired(TODAY, 24) == []  # running again changes nothing
    assert len(privacy.anonymise_expired(date(2027, 6, 2), 24)) == 1  # Recent Pass, two years on
