"""The Idempotency-Key header on the API's other actions an advocate may retry after a lost answer: adding a
participant, recording an assessment, and both kinds of return. A retry gets the first answer and nothing
is stored twice; the same key with another request is 422; keys are the user's own; two at once store one."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Assessment, Event, LoanItem, Participant
from tests.conftest import TODAY, at_once


def _count(query) -> int:
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(query)


def stored() -> dict:
    """What an action leaves behind, counted."""
    return {
        "assessments": _count(sa.select(sa.func.count()).select_from(Assessment)),
        "participants": _count(sa.select(sa.func.count()).select_from(Participant)),
        "returned": _count(sa.select(sa.func.count()).select_from(LoanItem).where(LoanItem.returned_on.is_not(None))),
        "events": _count(sa.select(sa.func.count()).select_from(Event)),
    }


@dataclass
class Action:
    path: str
    body: dict
    status: int
    other: tuple[str, dict]  # the same key with a different request: 422
    admins: tuple[str, dict]  # an admin's own request with the same key: done, not replayed
    grows: str  # what one action adds one row to
    events: int  # the events one action writes


def _participant(world, make_asset, make_participant, issue) -> Action:
    body = {
        "reference": "HIW-000777",
        "name": "Sam Retry",
        "phone": "07700 900 777",
        "email": "sam@example.org",
        "area": "st helens",
        "referral_source": "restart",
        "programme": "dii",
        "contact_consent": True,
    }
    return Action(
        "/api/v1/participants",
        body,
        201,
        ("/api/v1/participants", {**body, "reference": "HIW-000778"}),
        ("/api/v1/participants", {**body, "reference": "HIW-000779", "advocate": "advocate@test.example"}),
        "participants",
        0,
    )


def _assessment(world, make_asset, make_participant, issue) -> Action:
    person, other = make_participant(), make_participant()
    issue(person, make_asset("tablet").tag)  # a pass makes it theirs: events too
    body = {"participant": person.id, "score": 18, "max_score": 20, "taken_on": TODAY.isoformat(), "venue": "home"}
    return Action(
        "/api/v1/assessments",
        body,
        201,
        ("/api/v1/assessments", {**body, "score": 19}),
        ("/api/v1/assessments", {**body, "participant": other.id}),
        "assessments",
        1,
    )


def _loan_return(world, make_asset, make_participant, issue) -> Action:
    receipt = issue(make_participant(), make_asset("tablet").tag, make_asset("sim").tag, make_asset("laptop").tag)
    first, second, third = receipt["items"]
    path = f"/api/v1/loans/{receipt['id']}/return"
    return Action(
        path,
        {"location": "WH-MAIN", "items": [first]},
        200,
        (path, {"location": "WH-MAIN", "items": [second]}),
        (path, {"location": "WH-MAIN", "items": [third]}),
        "returned",
        1,
    )


def _asset_return(world, make_asset, make_participant, issue) -> Action:
    person = make_participant()
    first, second = make_asset("tablet").tag, make_asset("laptop").tag
    issue(person, first, second)
    return Action(
        f"/api/v1/assets/{first}/return",
        {"location": "WH-MAIN", "note": "back at the door"},
        200,
        (f"/api/v1/assets/{first}/return", {"location": "WH-MAIN", "note": "another note"}),
        (f"/api/v1/assets/{second}/return", {"location": "WH-MAIN", "note": "back at the door"}),
        "returned",
        1,
    )


ACTIONS: dict[str, Callable[..., Action]] = {
    "participant": _participant,
    "assessment": _assessment,
    "loan-return": _loan_return,
    "asset-return": _asset_return,
}


@pytest.fixture(params=list(ACTIONS))
def action(request, world, make_asset, make_participant, issue) -> Action:
    return ACTIONS[request.param](world, make_asset, make_participant, issue)


def test_a_retry_answers_the_first_answer_and_stores_nothing_twice(client, world, action):
    headers = {**world.headers["advocate"], "Idempotency-Key": "lost-answer-1"}
    before = stored()
    first = client.post(action.path, json=action.body, headers=headers)
    assert first.status_code == action.status, first.json
    assert "Idempotent-Replayed" not in first.headers
    once = stored()
    assert once[action.grows] - before[action.grows] == 1 and once["events"] - before["events"] == action.events
    for _ in range(2):
        again = client.post(action.path, json=action.body, headers=headers)
        assert again.status_code == action.status and again.headers["Idempotent-Replayed"] == "true"
        assert again.json == first.json
    assert stored() == once


def test_the_same_key_with_another_request_is_refused(client, world, action):
    headers = {**world.headers["advocate"], "Idempotency-Key": "lost-answer-2"}
    assert client.post(action.path, json=action.body, headers=headers).status_code == action.status
    once = stored()
    path, body = action.other
    refused = client.post(path, json=body, headers=headers)
    assert refused.status_code == 422 and "different request" in refused.json["message"]
    assert refused.json["errors"] == {"headers": {"Idempotency-Key": ["Already used with a different body."]}}
    assert stored() == once


def test_keys_are_each_users_own(client, world, action):
    key = {"Idempotency-Key": "same-words"}
    first = client.post(action.path, json=action.body, headers=world.headers["advocate"] | key)
    assert first.status_code == action.status
    once = stored()
    path, body = action.admins
    theirs = client.post(path, json=body, headers=world.headers["admin"] | key)
    assert theirs.status_code == action.status, theirs.json
    assert "Idempotent-Replayed" not in theirs.headers
    assert stored()[action.grows] > once[action.grows]


def test_a_failed_request_leaves_its_key_for_the_retry(client, world, action):
    headers = {**world.headers["advocate"], "Idempotency-Key": "after-a-fix"}
    wrong = {**action.body, "location": "NOWHERE", "programme": "NONE"}  # an unknown field or place
    refused = client.post(action.path, json=wrong, headers=headers)
    assert refused.status_code in (404, 422)
    done = client.post(action.path, json=action.body, headers=headers)
    assert done.status_code == action.status and "Idempotent-Replayed" not in done.headers


def test_a_key_longer_than_100_characters_is_refused(client, world, action):
    before = stored()
    headers = {**world.headers["advocate"], "Idempotency-Key": "k" * 101}
    refused = client.post(action.path, json=action.body, headers=headers)
    assert refused.status_code == 422 and "Idempotency-Key" in refused.json["errors"]["headers"]
    assert stored() == before


@pytest.mark.slow
def test_the_same_key_sent_four_times_at_once_stores_one(live_server, world, action):
    headers = {**world.headers["advocate"], "Idempotency-Key": "double-tap"}
    before = stored()
    answers = at_once(
        [lambda: requests.post(f"{live_server}{action.path}", json=action.body, headers=headers) for _ in range(4)]
    )
    assert [a.status_code for a in answers] == [action.status] * 4, [a.text[:160] for a in answers]
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 3
    assert len({a.text for a in answers}) == 1
    after = stored()
    assert after[action.grows] - before[action.grows] == 1
    assert after["events"] - before["events"] == action.events


def test_a_new_participants_case_file_is_not_kept_with_the_key(client, world):
    from inventory.models import AccessLogEntry, IdempotencyKey

    action = _participant(world, None, None, None)
    headers = {**world.headers["advocate"], "Idempotency-Key": "personal"}
    first = client.post(action.path, json=action.body, headers=headers)
    again = client.post(action.path, json=action.body, headers=headers)
    assert again.json == first.json and again.json["name"] == "Sam Retry"
    db.session.rollback()
    kept = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.key == "personal"))
    assert kept.response == {"status": 201, "body": {"id": first.json["id"]}}
    shown_again = sa.select(AccessLogEntry).where(AccessLogEntry.what == "case file, new participant sent again")
    assert len(db.session.scalars(shown_again).all()) == 1
