"""The sender owns what it sends: a claim token checked before each send and in the statement that
records it, claims renewed while it works, and a stop that hands back what it had not sent."""

import threading
import uuid
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from inventory import clock
from inventory.extensions import db, unit_of_work
from inventory.models import Notification, NotificationStatus
from inventory.notifiers import Message, Outcome
from inventory.notifiers.base import Result
from inventory.services import outbox, reminders
from tests.conftest import TODAY, at_once


class CountingNotify:
    """A provider in memory: counts every message it is given, by our reference, and finds them again.
    `after_send(n)` runs after the n-th message has been accepted (a stall, a stop, ...)."""

    def __init__(self, after_send=None):
        self.sent: Counter[str] = Counter()
        self.ids: dict[str, str] = {}
        self.after_send = after_send
        self.lock = threading.Lock()

    def send(self, message: Message) -> Outcome:
        with self.lock:
            self.sent[message.reference] += 1
            self.ids.setdefault(message.reference, str(uuid.uuid4()))
            n = sum(self.sent.values())
        if self.after_send:
            self.after_send(n)
        return Outcome(Result.SENT, provider_id=self.ids[message.reference])

    def find(self, reference: str) -> str | None:
        return self.ids.get(reference)


def queue_reminders(make_participant, make_asset, issue, count):
    """`count` participants' 7-day reminders and their advocate's digest: count + 1 rows."""
    for _ in range(count):
        issue(make_participant(), make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1))
    with unit_of_work():
        reminders.sweep(TODAY)
    return count + 1


def send(notifier, **kwargs):
    return outbox.send_due(notifier, now=clock.now, max_attempts=3, next_steps="x", **kwargs)


def statuses():
    db.session.rollback()
    return Counter(db.session.scalars(sa.select(Notification.status)).all())


def test_a_sender_that_stalled_past_its_claim_sends_nothing_another_sender_took_over(
    app, make_participant, make_asset, issue
):
    rows = queue_reminders(make_participant, make_asset, issue, 4)
    reports = {}

    def stall(n):
        if n == 1:
            # A's first message went out, then A froze for longer than a claim lasts; meanwhile B
            # found A's rows abandoned and took them over.
            app.config["CLOCK"].advance(outbox.STUCK_AFTER + timedelta(minutes=1))
            (reports["B"],) = at_once([lambda: send(provider)], app)

    provider = CountingNotify(after_send=stall)
    reports["A"] = send(provider)

    assert set(provider.sent.values()) == {1} and len(provider.sent) == rows  # each reminder once
    assert statuses() == {NotificationStatus.SENT: rows}
    # B asked about A's first message (found at the provider) and sent the rest; A, resuming, could
    # neither record its first send nor send anything more.
    assert reports["B"].sent == rows and reports["A"].sent == 0 and reports["A"].lost == rows
    assert db.session.scalars(sa.select(Notification.claim_token)).all() == [None] * rows


def test_a_slow_provider_never_makes_a_live_senders_rows_look_abandoned(app, make_participant, make_asset, issue):
    rows = queue_reminders(make_participant, make_asset, issue, 7)
    others = []

    def slow(n):
        app.config["CLOCK"].advance(timedelta(minutes=3))  # a slow provider: 3 minutes a message
        if n == 5:  # 15 minutes into the batch, a second sender starts
            others.extend(at_once([lambda: send(provider)], app))

    provider = CountingNotify(after_send=slow)
    report = send(provider)

    assert others[0].as_dict() == {"sent": 0, "retrying": 0, "failed": 0, "lost": 0, "handed_back": 0}
    assert report.sent == rows and set(provider.sent.values()) == {1}


def test_the_sender_claims_small_batches(app, make_participant, make_asset, issue):
    rows = queue_reminders(make_participant, make_asset, issue, 4)
    held = []
    provider = CountingNotify(after_send=lambda n: held.append(statuses()[NotificationStatus.SENDING]))
    report = send(provider, batch=2)
    assert report.sent == rows
    # Never more than a batch claimed at once: the one being sent and the rest of its batch.
    assert max(held) <= 2 and held[:2] == [2, 1]


def test_a_stop_mid_batch_hands_back_what_was_not_sent(app, make_participant, make_asset, issue):
    rows = queue_reminders(make_participant, make_asset, issue, 5)
    stop = threading.Event()
    provider = CountingNotify(after_send=lambda n: stop.set() if n == 2 else None)

    report = send(provider, stop=stop)

    assert (report.sent, report.handed_back) == (2, rows - 2)
    assert sum(provider.sent.values()) == 2  # nothing more went to the provider after the stop
    waiting = db.session.scalars(sa.select(Notification).where(Notification.status == NotificationStatus.QUEUED)).all()
    assert len(waiting) == rows - 2
    # Unclaimed, and no attempt counted: the next sender takes them at once, as if never claimed.
    assert {(r.claim_token, r.claimed_at, r.attempts) for r in waiting} == {(None, None, 0)}

    provider.after_send = None
    assert send(provider).sent == rows - 2
    assert statuses() == {NotificationStatus.SENT: rows} and set(provider.sent.values()) == {1}


def test_a_stop_before_a_run_claims_nothing(app, make_participant, make_asset, issue):
    rows = queue_reminders(make_participant, make_asset, issue, 1)
    stop = threading.Event()
    stop.set()
    assert send(CountingNotify(), stop=stop).as_dict()["sent"] == 0
    assert statuses() == {NotificationStatus.QUEUED: rows}
