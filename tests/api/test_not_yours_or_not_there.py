"""Another advocate's participants, loans, data plans and ownership certificates answer exactly as ids that
do not exist: the same status and the very same bytes, through the API and the pages, so nobody can learn
which ids are in use (or whose they are) by asking."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import DataPlan
from inventory.services import assessments, users
from tests.conftest import TODAY
from tests.web.conftest import csrf_from, sign_in

MISSING = 987654


def someone_elses(world, make_asset, make_participant, issue):
    """A participant on the test advocate's caseload with a loan, a data plan and an ownership transfer."""
    person = make_participant()
    receipt = issue(person, make_asset("tablet").tag, make_asset("sim").tag)
    with unit_of_work():
        _, transfer = assessments.record(
            participant_id=person.id,
            score=20,
            max_score=20,
            taken_on=date(2026, 11, 20),
            venue="classroom",
            actor=world.people["advocate"].user,
            today=TODAY,
        )
    plan = db.session.scalar(sa.select(DataPlan).where(DataPlan.participant_id == person.id))
    return person.id, receipt["id"], transfer.id, plan.id


def another_advocate():
    with unit_of_work():
        user, _ = users.create_user("other-advocate@test.example", "advocate", password="correct horse battery")
        return user, {"Authorization": f"Bearer {users.create_token(user)}"}


def test_the_api_answers_alike_for_not_yours_and_not_there(client, world, make_asset, make_participant, issue):
    participant, loan, transfer, plan = someone_elses(world, make_asset, make_participant, issue)
    _, headers = another_advocate()
    requests = {
        "participant": ("GET", "/api/v1/participants/{}", None),
        "participant change": ("PATCH", "/api/v1/participants/{}", {"area": "Wirral"}),
        "loan": ("GET", "/api/v1/loans/{}", None),
        "loan return": ("POST", "/api/v1/loans/{}/return", {"location": "WH-MAIN"}),
        "certificate": ("GET", "/api/v1/transfers/{}/certificate", None),
        "data plan extension": ("POST", "/api/v1/data-plans/{}/extend", {"months": 1}),
    }
    ids = {"participant": participant, "loan": loan, "certificate": transfer, "data plan": plan}
    for what, (method, path, body) in requests.items():
        foreign_id = next(value for name, value in ids.items() if what.startswith(name))
        foreign = client.open(path.format(foreign_id), method=method, json=body, headers=headers)
        missing = client.open(path.format(MISSING), method=method, json=body, headers=headers)
        assert foreign.status_code == missing.status_code == 404, (what, foreign.status_code, missing.status_code)
        assert foreign.data == missing.data, (what, foreign.data, missing.data)
        assert str(foreign_id) not in foreign.get_data(as_text=True), what
    # ... while the advocate whose they are sees them.
    assert client.get(f"/api/v1/loans/{loan}", headers=world.headers["advocate"]).status_code == 200


def _without_tokens(page) -> bytes:
    return re.sub(rb'name="csrf_token" value="[^"]+"', b'name="csrf_token" value=""', page.data)


def test_the_pages_answer_alike_for_not_yours_and_not_there(client, world, make_asset, make_participant, issue):
    participant, loan, transfer, _ = someone_elses(world, make_asset, make_participant, issue)
    other, _ = another_advocate()
    with unit_of_work():
        from inventory.services import participants

        mine = participants.create_participant(
            {
                "reference": "REF-MINE",
                "name": "Mine Person",
                "area": "Knowsley",
                "referral_source": "jobcentre_plus",
                "programme": "DII",
                "contact_consent": False,
            },
            other,
            TODAY,
        ).id
    sign_in(client, "other-advocate@test.example")
    csrf = csrf_from(client.get("/participants"))
    pairs = {
        "participant page": (f"/participants/{participant}", f"/participants/{MISSING}"),
        "edit page": (f"/participants/{participant}/edit", f"/participants/{MISSING}/edit"),
        "issue page": (f"/participants/{participant}/issue", f"/participants/{MISSING}/issue"),
        "certificate": (
            f"/participants/{mine}/certificates/{transfer}",
            f"/participants/{mine}/certificates/{MISSING}",
        ),
        "certificate of theirs": (
            f"/participants/{participant}/certificates/{transfer}",
            f"/participants/{MISSING}/certificates/{MISSING}",
        ),
    }
    for what, (foreign_path, missing_path) in pairs.items():
        foreign, missing = client.get(foreign_path), client.get(missing_path)
        assert foreign.status_code == missing.status_code == 404, what
        assert _without_tokens(foreign) == _without_tokens(missing), what
    returns = [
        client.post(f"/participants/{mine}/loans/{id_}/return", data={"csrf_token": csrf, "location": "WH-MAIN"})
        for id_ in (loan, MISSING)
    ]
    assert returns[0].status_code == returns[1].status_code == 404
    assert _without_tokens(returns[0]) == _without_tokens(returns[1])
