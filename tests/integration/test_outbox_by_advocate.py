"""An advocate's outbox is their own caseload's reminders and their own digests: each reminder names the
advocate whose outbox lists it (its participant's) from the moment it is queued, and moves with the
participant when they are reassigned, even while a sweep is queueing reminders about them."""

import re
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Notification, NotificationKind, Participant, User
from inventory.services import notifications, participants, reference, reminders, users
from tests.conftest import TODAY, wait_for_a_lock_wait


def outbox_of(viewer) -> list[tuple[str, int | None]]:
    """(kind, participant id) of each row the viewer's outbox lists, newest first."""
    rows = db.session.scalars(notifications.outbox_query(viewer)).all()
    assert [n.id for n in rows] == sorted((n.id for n in rows), reverse=True)  # newest first, no row twice
    assert len(rows) == db.session.scalar(
        sa.select(sa.func.count()).select_from(notifications.outbox_ids(viewer).subquery())
    )
    assert sum(notifications.outbox_counts(viewer).values()) == len(rows)
    return [(str(n.kind), n.participant_id) for n in rows]


def every_row_names_its_participants_advocate() -> None:
    """A row about a participant is listed in their advocate's outbox; a row about nobody, in its addressee's."""
    wrong = db.session.execute(
        sa.select(Notification.key, Notification.outbox_advocate_id)
        .outerjoin(Participant, Participant.id == Notification.participant_id)
        .where(
            Notification.outbox_advocate_id.is_distinct_from(
                sa.func.coalesce(Participant.advocate_id, Notification.advocate_id)
            )
        )
    ).all()
    assert wrong == []


def lending_programme():
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


def test_reminders_move_with_a_reassigned_participant(world, make_asset, make_participant, issue):
    advocate = world.people["advocate"].user
    other, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
    moving, staying = make_participant(), make_participant()
    for person in (moving, staying):
        issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1), actor=world.admin)
    with unit_of_work():
        reminders.sweep(TODAY)  # each one's plan reminder, and the advocate's digest
        reminders.queue_assessment_reminders(TODAY, 4)  # to the advocate, about each of them
    every_row_names_its_participants_advocate()
    before = outbox_of(advocate)
    assert sorted(before, key=str) == sorted(
        [
            ("plan_ending", moving.id),
            ("plan_ending", staying.id),
            ("advocate_digest", None),
            ("assessment_due", moving.id),
            ("assessment_due", staying.id),
        ],
        key=str,
    )
    assert outbox_of(other) == []

    with unit_of_work():
        participants.reassign(moving.id, "other@test.example", world.admin)
    every_row_names_its_participants_advocate()
    # The participant's reminders go with them, the one sent to the old advocate about them included: an
    # advocate sees only their own caseload. The old advocate keeps their digest.
    assert sorted(outbox_of(other), key=str) == [("assessment_due", moving.id), ("plan_ending", moving.id)]
    assert sorted(outbox_of(advocate), key=str) == sorted(
        [("plan_ending", staying.id), ("advocate_digest", None), ("assessment_due", staying.id)], key=str
    )
    assert len(outbox_of(world.admin)) == 5  # admins see the whole outbox, each row once


def test_every_kind_of_reminder_names_the_participants_advocate(world, make_asset, make_participant, issue):
    lending_programme()
    person = make_participant(programme="LEND")
    receipt = issue(person, make_asset("laptop", programme="LEND").tag, issued_on=TODAY)
    due = date.fromisoformat(receipt["due_on"])
    with unit_of_work():
        reminders.sweep(due - timedelta(days=7))  # the return reminders, to the participant and the advocate
        reminders.queue_assessment_reminders(due + timedelta(weeks=8), 4)
    kinds = set(db.session.scalars(sa.select(Notification.kind).where(Notification.participant_id == person.id)))
    assert kinds == {NotificationKind.RETURN_DUE, NotificationKind.ADVOCATE_RETURN, NotificationKind.ASSESSMENT_DUE}
    every_row_names_its_participants_advocate()
    assert {kind for kind, _ in outbox_of(world.people["advocate"].user)} == {str(k) for k in kinds}


def test_the_api_lists_the_new_advocates_reminders_after_a_reassignment(
    client, world, make_asset, make_participant, issue
):
    person = make_participant()
    issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1), actor=world.admin)
    with unit_of_work():
        reminders.sweep(TODAY)
    listed = client.get("/api/v1/notifications", headers=world.headers["advocate"]).get_json()
    assert {n["kind"] for n in listed} == {"plan_ending", "advocate_digest"}
    users.create_user("other@test.example", "advocate", password="correct horse battery")
    with unit_of_work():
        participants.reassign(person.id, "other@test.example", world.admin)
    listed = client.get("/api/v1/notifications", headers=world.headers["advocate"]).get_json()
    assert {n["kind"] for n in listed} == {"advocate_digest"}  # their own digest stays theirs


@pytest.mark.slow
def test_a_reassignment_during_a_sweep_leaves_every_reminder_with_the_new_advocate(
    app, world, make_asset, make_participant, issue
):
    """PostgreSQL only (SQLite has one writer at a time, so a sweep cannot run inside a reassignment): the
    reassignment holds the participant, uncommitted; the sweep queueing their reminder waits for it (it reads
    the participant FOR SHARE), then copies the new advocate. Without the lock it would copy the old one,
    after the reassignment had moved the rows it could see."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite queues writers: no two transactions hold rows at once")
    person = make_participant()
    issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1), actor=world.admin)
    other, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
    db.session.commit()
    person_id, admin_id, other_id = person.id, world.admin.id, other.id
    holding, go_on = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def reassigner():
        with app.app_context():
            try:
                with unit_of_work():
                    participants.reassign(person_id, "other@test.example", db.session.get(User, admin_id))
                    holding.set()
                    go_on.wait(60)
            except BaseException as error:  # noqa: BLE001 - raised in the test's thread below
                failures.append(error)
            finally:
                db.session.remove()

    def sweeper():
        with app.app_context():
            try:
                with unit_of_work():
                    reminders.sweep(TODAY)
            except BaseException as error:  # noqa: BLE001
                failures.append(error)
            finally:
                db.session.remove()

    holder = threading.Thread(target=reassigner)
    holder.start()
    assert holding.wait(60)
    sweep = threading.Thread(target=sweeper)
    sweep.start()
    wait_for_a_lock_wait("the sweep")  # the sweep waits on the participant the reassignment holds
    go_on.set()
    holder.join()
    sweep.join()
    assert failures == []
    db.session.rollback()
    reminder = db.session.scalars(
        sa.select(Notification).where(Notification.participant_id == person_id, Notification.kind == "plan_ending")
    ).one()
    assert reminder.outbox_advocate_id == other_id
    every_row_names_its_participants_advocate()


def test_the_reminders_page_shows_the_outbox_a_page_at_a_time(client, world, make_asset, make_participant, issue):
    from tests.web.conftest import sign_in

    advocate = world.people["advocate"].user
    with unit_of_work():
        for n in range(55):
            db.session.add(
                Notification(
                    key=f"digest:{advocate.id}:{n}",
                    kind=NotificationKind.ADVOCATE_DIGEST,
                    channel="email",
                    due_on=TODAY,
                    advocate_id=advocate.id,
                )
            )
    sign_in(client, "advocate@test.example")
    first = client.get("/reminders")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    following = re.search(r'href="([^"]+)" rel="next"', page)
    assert following, "a link to the next page"
    second = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert 'rel="next"' not in second and "First page" in second
    assert rows_of(second, "Reminders outbox") == 5
    assert rows_of(page, "Reminders outbox") == 50
    tampered = client.get("/reminders?cursor=eyJhZnRlciI6MX0")
    assert tampered.status_code == 422


def test_the_reminders_page_lists_the_soonest_plans_and_links_to_them_all(
    client, world, make_asset, make_participant, issue
):
    from tests.web.conftest import sign_in

    for _ in range(26):
        person = make_participant()
        issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1), today=date(2026, 6, 1), actor=world.admin)
    sign_in(client, "advocate@test.example")
    page = client.get("/reminders").get_data(as_text=True)
    assert rows_of(page, "Free data ending in the next 30 days") == 25
    assert "See all free data ending in the next 30 days" in page
    assert "/data-plans?status=active&amp;within=30" in page


def rows_of(page: str, caption: str) -> int:
    """How many body rows the table with this caption has."""
    start = page.index(f'<caption class="govuk-table__caption govuk-visually-hidden">{caption}')
    body = page[start : page.index("</table>", start)]
    return body.count('<tr class="govuk-table__row">') - 1  # less the header row
