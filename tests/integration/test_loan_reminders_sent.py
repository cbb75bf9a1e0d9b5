"""What the sender makes of a loan's reminders: return dates reach the participant and the advocate, and a
lost SIM's plan reminders never go out."""

from datetime import date, timedelta

import sqlalchemy as sa

from inventory import clock
from inventory.extensions import db, unit_of_work
from inventory.models import Notification, NotificationStatus
from inventory.notifiers import Message, Outcome
from inventory.notifiers.base import Result
from inventory.services import loan_changes, outbox, reference, reminders, returns
from tests.conftest import TODAY


class Recorder:
    def __init__(self):
        self.messages: list[Message] = []

    def send(self, message: Message) -> Outcome:
        self.messages.append(message)
        return Outcome(Result.SENT, provider_id=f"id-{len(self.messages)}")

    def find(self, reference: str) -> str | None:
        return None


def send_at(day, notifier):
    clock_at = clock.FrozenClock.on(day)
    return outbox.send_due(notifier, now=clock_at.now, max_attempts=3, next_steps="x")


def test_return_reminders_reach_the_participant_and_the_advocate(world, make_asset, make_participant, issue):
    with unit_of_work():
        reference.create_programme(
            code="LEND",
            name="Lending library",
            connectivity_months=1,
            ownership_rule="loan_only",
            assessment_name="L1",
            pass_mark=50,
            loan_weeks=2,
        )
    person = make_participant(programme="LEND")
    receipt = issue(person, make_asset("laptop", programme="LEND").tag, issued_on=TODAY)
    due = date.fromisoformat(receipt["due_on"])
    assert due == date(2026, 12, 6)
    with unit_of_work():
        reminders.sweep(due - timedelta(days=7))
    notify = Recorder()
    send_at(due - timedelta(days=7), notify)
    sent = {(m.kind, m.channel, m.to): m.personalisation for m in notify.messages}
    assert sent == {
        ("return_due", "sms", person.phone): {"programme": "Lending library", "due_date": "6 December 2026"},
        ("advocate_return", "email", "advocate@test.example"): {
            "reference": person.reference,
            "programme": "Lending library",
            "due_date": "6 December 2026",
            "items": "1",
        },
    }
    # Everything came back before the day: the day's reminders are not even queued.
    with unit_of_work():
        returns.return_items(receipt["id"], world.people["advocate"].user, location="WH-MAIN", today=due)
    with unit_of_work():
        assert reminders.sweep(due) == {"participants": 0, "advocates": 0}


def test_a_lost_sims_queued_plan_reminder_is_never_sent(world, make_asset, make_participant, issue):
    person = make_participant()
    sim = make_asset("sim")
    receipt = issue(person, sim.tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1))  # ends 1 December
    with unit_of_work():
        assert reminders.sweep(TODAY)["participants"] == 1  # "your free data ends in 9 days", queued
    with unit_of_work():
        loan_changes.report_lost(
            receipt["id"], world.people["advocate"].user, items=[sim.tag], reason="lost", reported_on=None, today=TODAY
        )
    notify = Recorder()
    send_at(TODAY, notify)
    assert [m.kind for m in notify.messages if m.kind != "advocate_digest"] == []
    db.session.rollback()
    row = db.session.scalar(sa.select(Notification).where(Notification.participant_id == person.id))
    assert row.status == NotificationStatus.FAILED and "ended" in row.last_error
