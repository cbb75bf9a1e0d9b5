"""The outcome report reads whole months from the monthly roll-up and the days at either end from the daily
counts: whatever the period, its figures are those of the rows themselves."""

from datetime import date

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import OutcomeCount, OutcomeMonthCount, Participant
from inventory.services import assessments, participants, reports
from tests.conftest import TODAY

# Days either side of month ends (a leap February among them) and the suite's today.
DAYS = [
    date(2024, 2, 28),
    date(2024, 2, 29),
    date(2024, 3, 1),
    date(2026, 8, 31),
    date(2026, 9, 1),
    date(2026, 9, 30),
    date(2026, 10, 1),
    date(2026, 10, 15),
    date(2026, 10, 31),
    date(2026, 11, 1),
    TODAY,
]


def test_every_period_counts_what_happened_in_it_across_month_edges(world, make_participant):
    people = []
    for n, day in enumerate(DAYS):
        person = make_participant(area="Wirral" if n % 2 else "Knowsley", enrolled_on=day)
        people.append(person)
        with unit_of_work():
            assessments.record(
                participant_id=person.id,
                score=19 if n % 3 else 5,
                max_score=20,
                taken_on=day,
                venue="classroom",
                actor=world.people["advocate"].user,
                today=TODAY,
            )
    taken = [(day, 19 if n % 3 else 5) for n, day in enumerate(DAYS)]
    periods = [(a, b) for a in DAYS for b in DAYS if a <= b]
    periods += [
        (date(2026, 9, 1), date(2026, 10, 31)),  # whole months only
        (date(2026, 9, 2), date(2026, 10, 30)),  # no whole month
        (date(2024, 1, 1), TODAY),
        (date(2000, 1, 1), TODAY),
    ]
    for start, end in periods:
        report = reports.outcomes(today=TODAY, date_from=start, date_to=end)
        expected = sum(start <= day <= end for day in DAYS)
        assert report["totals"]["participants"] == expected, (start, end)
        assert report["totals"]["assessments_taken"] == expected, (start, end)
        passed = sum(start <= day <= end and score == 19 for day, score in taken)  # 5 of 20 fails
        assert report["totals"]["assessments_passed"] == passed, (start, end)
        knowsley = next(r for r in report["rows"] if r["area"] == "Knowsley")
        assert knowsley["participants"] == sum(start <= day <= end for day in DAYS[::2]), (start, end)


def test_the_monthly_roll_up_is_the_sum_of_the_days_and_moves_with_an_area(world, make_participant):
    person = make_participant(area="Knowsley", enrolled_on=date(2026, 10, 31))
    make_participant(area="Knowsley", enrolled_on=date(2026, 10, 1))

    def months() -> dict:
        rows = db.session.execute(
            sa.select(OutcomeMonthCount.area, OutcomeMonthCount.month, OutcomeMonthCount.count).where(
                OutcomeMonthCount.metric == "participants", OutcomeMonthCount.count != 0
            )
        )
        return {(str(a), m): n for a, m, n in rows}

    def days_by_month() -> dict:
        total: dict = {}
        rows = db.session.execute(
            sa.select(OutcomeCount.area, OutcomeCount.day, OutcomeCount.count).where(
                OutcomeCount.metric == "participants"
            )
        )
        for area, day, n in rows:
            key = (str(area), day.replace(day=1))
            total[key] = total.get(key, 0) + n
        return {k: n for k, n in total.items() if n}

    assert months() == days_by_month() == {("Knowsley", date(2026, 10, 1)): 2}
    with unit_of_work():
        participants.update_participant(
            person.id, {"area": "Wirral", "enrolled_on": date(2026, 11, 2)}, world.admin, TODAY
        )
    assert months() == days_by_month() == {("Knowsley", date(2026, 10, 1)): 1, ("Wirral", date(2026, 11, 1)): 1}
    report = reports.outcomes(today=TODAY, date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    assert report["totals"]["participants"] == 1
    assert db.session.get(Participant, person.id).enrolled_on == date(2026, 11, 2)
