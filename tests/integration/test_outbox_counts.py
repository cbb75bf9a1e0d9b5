"""The outbox's counts by status (the reminders page's filter links), read from indexes: always what the
viewer's outbox holds, through sends, failures and the purge of old sent reminders."""

from collections import Counter
from datetime import UTC, date, datetime

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Notification
from inventory.notifiers.base import Outcome, Result
from inventory.services import notifications, outbox, reminders, users
from tests.conftest import TODAY


class HalfFails:
    """Sends every other message; the rest fail for good (a bad number)."""

    def __init__(self):
        self.calls = 0

    def send(self, message) -> Outcome:
        self.calls += 1
        if self.calls % 2:
            return Outcome(Result.SENT, f"id-{self.calls}")
        return Outcome(Result.PERMANENT, reason="bad number")

    def find(self, reference: str) -> str | None:
        return None


def listed(viewer) -> dict[str, int]:
    rows = db.session.scalars(notifications.outbox_query(viewer)).all()
    return dict(Counter(str(n.status) for n in rows))


def test_the_counts_by_status_are_the_outbox_s_own(world, make_asset, make_participant, issue):
    other, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
    advocate = world.people["advocate"].user
    for n in range(3):
        for owner in (advocate, other):
            person = make_participant(advocate=owner)
            issue(
                person, make_asset("sim").tag, issued_on=date(2026, 6, n + 1), today=date(2026, 6, 3), actor=world.admin
            )
    with unit_of_work():
        reminders.sweep(TODAY)
    db.session.rollback()
    viewers = (advocate, other, world.admin)
    for viewer in viewers:
        assert notifications.outbox_counts(viewer) == listed(viewer)
    assert notifications.outbox_counts(advocate) == {"queued": 4}  # three plan reminders and a digest

    outbox.send_due(HalfFails(), now=datetime(2026, 11, 22, 10, tzinfo=UTC), max_attempts=3, next_steps="-")
    db.session.rollback()
    for viewer in viewers:
        assert notifications.outbox_counts(viewer) == listed(viewer)
    everything = notifications.outbox_counts(world.admin)
    assert everything.get("sent", 0) and everything.get("failed", 0) and sum(everything.values()) == 8

    # A year on, the sent ones are purged: they leave the counts with the rows.
    with unit_of_work():
        purged = notifications.purge_sent(
            now=datetime(2027, 11, 22, tzinfo=UTC), today=date(2027, 11, 22), older_than_days=180
        )
    assert purged == everything["sent"]
    for viewer in viewers:
        assert notifications.outbox_counts(viewer) == listed(viewer)
        assert "sent" not in notifications.outbox_counts(viewer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == everything["failed"]


def test_the_reminders_page_shows_the_counts(client, world, make_asset, make_participant, issue):
    from tests.web.conftest import sign_in

    person = make_participant()
    issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1), actor=world.admin)
    with unit_of_work():
        reminders.sweep(TODAY)
    sign_in(client, "advocate@test.example")
    page = client.get("/reminders").get_data(as_text=True)
    assert "(2)</a>" in page  # queued: the plan's reminder and the advocate's digest


def test_the_api_counts_an_advocate_s_outbox_from_its_ids(client, world, make_asset, make_participant, issue):
    import json

    other, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
    mine = make_participant()
    for person in (mine, make_participant(advocate=other)):
        issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1), actor=world.admin)
    with unit_of_work():
        reminders.sweep(TODAY)

    def total(query: str, role: str = "advocate") -> int:
        r = client.get(f"/api/v1/notifications{query}", headers=world.headers[role])
        assert r.status_code == 200
        assert json.loads(r.headers["X-Pagination"])["total"] == len(r.json)
        return len(r.json)

    assert total("") == 2  # their participant's reminder and their digest
    assert total("?status=queued") == 2 and total("?status=sent") == 0
    assert total(f"?participant={mine.id}") == 1
    assert total("", role="admin") == 4
