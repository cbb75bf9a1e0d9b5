"""Extending a data plan, reassigning and erasing a participant from their pages: each asks first, each is
logged, and only the roles DESIGN.md allows may do it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inventory.dates import add_months
from inventory.extensions import db, unit_of_work
from inventory.models import AccessAction, AccessLogEntry, DataPlan, Participant
from inventory.services import users
from tests.conftest import TODAY
from tests.web.conftest import csrf_from, new_request_context, sign_in


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def logged(action) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(AccessLogEntry.action == action))


def test_an_advocate_extends_their_participants_free_data_after_a_confirmation(
    client, world, make_participant, make_asset, issue
):
    person = make_participant()
    receipt = issue(person, make_asset("sim").tag)
    plan_id = receipt["data_plans"][0]["id"]
    sign_in(client, "advocate@test.example")
    page = client.get(f"/participants/{person.id}")
    assert f"/data-plans/{plan_id}/extend" in page.get_data(as_text=True)
    confirm = client.get(f"/participants/{person.id}/data-plans/{plan_id}/extend")
    assert confirm.status_code == 200 and "Extend by" in confirm.get_data(as_text=True)
    assert fresh(DataPlan, plan_id).ends_on == add_months(TODAY, 6)  # looking changes nothing
    none = client.post(
        f"/participants/{person.id}/data-plans/{plan_id}/extend", data={"csrf_token": csrf_from(confirm)}
    )
    assert none.status_code == 422 and fresh(DataPlan, plan_id).ends_on == add_months(TODAY, 6)
    done = client.post(
        f"/participants/{person.id}/data-plans/{plan_id}/extend", data={"csrf_token": csrf_from(confirm), "months": "2"}
    )
    assert done.status_code == 302 and fresh(DataPlan, plan_id).ends_on == add_months(TODAY, 8)
    assert "now ends on" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_someone_elses_plan_is_not_found_and_partners_are_refused(client, world, make_participant, make_asset, issue):
    with unit_of_work():
        other, _ = users.create_user("other-advocate@test.example", "advocate", password="correct horse battery")
    theirs = make_participant(advocate=other)
    plan_id = issue(theirs, make_asset("sim").tag, actor=other)["data_plans"][0]["id"]
    sign_in(client, "advocate@test.example")
    assert client.get(f"/participants/{theirs.id}/data-plans/{plan_id}/extend").status_code == 404
    mine = make_participant()
    assert client.get(f"/participants/{mine.id}/data-plans/{plan_id}/extend").status_code == 404  # not hers
    new_request_context()
    sign_in(client, "partner@test.example")
    assert client.get(f"/participants/{theirs.id}/data-plans/{plan_id}/extend").status_code == 403


def test_admins_reassign_and_advocates_cannot(client, world, make_participant):
    with unit_of_work():
        other, _ = users.create_user("other-advocate@test.example", "advocate", password="correct horse battery")
    person = make_participant()
    sign_in(client, "advocate@test.example")
    token = csrf_from(client.get(f"/participants/{person.id}/edit"))
    assert "Give them to another advocate" not in client.get(f"/participants/{person.id}/edit").get_data(as_text=True)
    refused = client.post(f"/participants/{person.id}/reassign", data={"csrf_token": token, "advocate": other.email})
    assert refused.status_code == 403 and fresh(Participant, person.id).advocate_id != other.id
    new_request_context()
    sign_in(client, "admin@test.example")
    edit = client.get(f"/participants/{person.id}/edit")
    assert "Give them to another advocate" in edit.get_data(as_text=True)
    done = client.post(
        f"/participants/{person.id}/reassign", data={"csrf_token": csrf_from(edit), "advocate": other.email}
    )
    assert done.status_code == 302 and fresh(Participant, person.id).advocate_id == other.id
    assert logged(AccessAction.REASSIGNED) == 1


def test_erasing_asks_for_the_password_again_and_a_tick(app, client, world, make_participant):
    person = make_participant(name="Erin Erasable")
    sign_in(client, "admin@test.example")
    app.config["CLOCK"].advance(timedelta(minutes=app.config["REAUTH_MINUTES"] + 1))
    client.get("/stock")  # still active, but the password was given too long ago
    asked = client.get(f"/participants/{person.id}/erase")
    assert asked.status_code == 302 and "/confirm" in asked.headers["Location"]
    confirm = client.get(asked.headers["Location"])
    back = client.post(
        asked.headers["Location"], data={"csrf_token": csrf_from(confirm), "password": "correct horse battery"}
    )
    page = client.get(back.headers["Location"])
    assert page.status_code == 200 and "This cannot be undone" in page.get_data(as_text=True)
    unticked = client.post(f"/participants/{person.id}/erase", data={"csrf_token": csrf_from(page)})
    assert unticked.status_code == 422 and fresh(Participant, person.id).name == "Erin Erasable"
    done = client.post(f"/participants/{person.id}/erase", data={"csrf_token": csrf_from(page), "confirm": "yes"})
    assert done.status_code == 302
    erased = fresh(Participant, person.id)
    assert erased.name is None and erased.phone is None and erased.reference == person.reference
    assert logged(AccessAction.ERASED) == 1
    new_request_context()
    sign_in(client, "advocate@test.example")
    assert client.get(f"/participants/{person.id}/erase").status_code == 403
