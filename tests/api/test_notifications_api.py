"""The outbox over HTTP: admins see all of it, advocates their own caseload's."""

from datetime import date

from inventory.extensions import unit_of_work
from inventory.services import reminders, users
from tests.conftest import TODAY


def test_who_sees_which_reminders(client, world, make_asset, make_participant, issue):
    other, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
    mine = make_participant()
    theirs = make_participant(advocate=other)
    for person in (mine, theirs):
        issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1), actor=world.admin)
    with unit_of_work():
        reminders.sweep(TODAY)
    everything = client.get("/api/v1/notifications", headers=world.headers["admin"]).json
    assert len(everything) == 4  # two participants' reminders, two advocates' digests
    own = client.get("/api/v1/notifications", headers=world.headers["advocate"]).json
    assert {(n["kind"], n["participant"]) for n in own} == {("plan_ending", mine.id), ("advocate_digest", None)}
    assert own[0].keys() >= {"id", "kind", "channel", "status", "due_on", "sent_at"}
    filtered = client.get(
        f"/api/v1/notifications?participant={theirs.id}&status=queued", headers=world.headers["admin"]
    ).json
    assert [n["participant"] for n in filtered] == [theirs.id]
    assert client.get("/api/v1/notifications", headers=world.headers["warehouse"]).status_code == 403
    assert client.get("/api/v1/notifications", headers=world.headers["partner"]).status_code == 403
    assert client.get("/api/v1/notifications?status=lost", headers=world.headers["admin"]).status_code == 422


def test_plans_ending_soon_for_an_advocate(client, world, make_asset, make_participant, issue):
    person = make_participant()
    issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1))  # ends 1 December
    issue(person, make_asset("sim").tag, issued_on=date(2026, 10, 1))  # ends 1 April
    soon = client.get("/api/v1/data-plans?ending_within=30", headers=world.headers["advocate"]).json
    assert [p["ends_on"] for p in soon] == ["2026-12-01"]
