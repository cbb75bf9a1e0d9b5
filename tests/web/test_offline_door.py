"""The door the phone's queue of offline actions goes through (POST /offline/send/<kind>), the copy kept on the
phone (GET /offline/kept), and the installable app's files: CSRF, roles and caseloads, one action for one
Idempotency-Key, access-log rows, and nothing personal cached."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import AccessLogEntry, Assessment, Asset, AssetStatus, IdempotencyKey, Loan, Participant
from tests.web.conftest import new_request_context, sign_in


def count(model, **where) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


@pytest.fixture
def phone(client, world):
    """`phone("advocate")`: signed in, and `send(kind, body, key=None)` as offline.js sends (JSON, fresh token)."""

    def signed_in(role: str = "advocate"):
        sign_in(client, f"{role}@test.example")

        def send(kind, body, key=None, token=True):
            new_request_context()
            headers = {"Idempotency-Key": key or str(uuid.uuid4())}
            if token:
                answer = client.get("/offline/token")
                assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
                headers["X-CSRFToken"] = answer.json["csrf_token"]
            new_request_context()
            return client.post(f"/offline/send/{kind}", json=body, headers=headers)

        return send

    return signed_in


def kit_tag(world, make_asset) -> str:
    from inventory.services import kits

    with unit_of_work():
        return kits.build_kit([make_asset("tablet").tag, make_asset("sim").tag], world.warehouse).tag


def issue_body(person, tag, **extra):
    return {
        "participant": person.id,
        "items": [tag],
        "issued_on": "2026-11-20",
        "agreement_accepted": True,
        "agreement_version": 1,
        "signature": {"method": "verbal", "note": "Read aloud at their kitchen table; they agreed."},
    } | extra


def test_an_issue_sent_twice_with_its_key_issues_once_on_the_day_it_was_done(
    phone, world, make_asset, make_participant
):
    person, tag = make_participant(), kit_tag(world, make_asset)
    send = phone("advocate")
    key = str(uuid.uuid4())
    first = send("issue", issue_body(person, tag), key=key)
    assert first.status_code == 201, first.json
    assert first.headers["Cache-Control"] == "no-store"
    again = send("issue", issue_body(person, tag), key=key)  # the answer was lost: the queue sends it again
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert count(Loan, participant_id=person.id) == 1
    db.session.rollback()
    loan = db.session.scalar(sa.select(Loan))
    assert loan.issued_on.isoformat() == "2026-11-20" and loan.signature.method.value == "verbal"
    assert count(AccessLogEntry, participant_id=person.id, what=f"loan {loan.id} issued") == 1  # logged once

    # The same key with another body is refused: a bug, never a silent second action.
    other = send("issue", issue_body(person, tag, issued_on="2026-11-21"), key=key)
    assert other.status_code == 422 and other.json["refused"] is True


def test_assessment_return_and_new_participant_each_happen_once_for_their_key(
    phone, world, make_asset, make_participant, issue
):
    person = make_participant()
    tablet = make_asset("tablet")
    loan = issue(person, tablet.tag)
    send = phone("advocate")
    actions = [
        (
            "assessment",
            {
                "participant": person.id,
                "score": 5,
                "max_score": 20,
                "taken_on": "2026-11-21",
                "venue": "home",
            },  # not a pass: the tablet stays lent
        ),
        ("return", {"loan": loan["id"], "items": [tablet.tag], "location": "WH-MAIN"}),
        (
            "participant",
            {
                "reference": "OFF-1",
                "name": "New Person",
                "area": "Knowsley",
                "referral_source": "jobcentre_plus",
                "programme": "DII",
                "contact_consent": False,
            },
        ),
    ]
    for kind, body in actions:
        key = str(uuid.uuid4())
        first, again = send(kind, body, key=key), send(kind, body, key=key)
        assert first.status_code == 201, (kind, first.json)
        assert again.status_code == 200 and again.json == first.json, kind
    assert count(Assessment, participant_id=person.id) == 1
    db.session.rollback()
    assert db.session.get(Asset, tablet.id).status == AssetStatus.QUARANTINE
    assert count(Participant, reference="OFF-1") == 1
    assert count(IdempotencyKey) == 3 + 0  # one key each (the issue above was not sent through the door)
    for what in ("assessment recorded", f"loan {loan['id']} return"):
        assert count(AccessLogEntry, participant_id=person.id, what=what) == 1


def test_without_a_csrf_token_nothing_is_done(phone, world, make_asset, make_participant):
    person, tag = make_participant(), kit_tag(world, make_asset)
    send = phone("advocate")
    refused = send("issue", issue_body(person, tag), token=False)
    assert refused.status_code == 400
    assert count(Loan) == 0


def test_signed_out_the_door_says_so_and_keeps_nothing(client, world, make_participant):
    person = make_participant()
    answer = client.post("/offline/send/assessment", json={"participant": person.id}, headers={"Idempotency-Key": "k"})
    assert answer.status_code in (302, 401, 400)  # the queue keeps the action and asks to sign in again
    assert client.get("/offline/token").status_code == 401
    assert client.get("/offline/kept").status_code == 401


def test_another_advocates_participant_is_not_found_and_a_warehouse_role_is_refused(
    phone, client, world, make_asset, make_participant
):
    from inventory.services import users

    with unit_of_work():
        colleague, _ = users.create_user("colleague@test.example", "advocate", password="correct horse battery")
    theirs, tag = make_participant(advocate=colleague), kit_tag(world, make_asset)
    send = phone("advocate")
    refused = send("issue", issue_body(theirs, tag))
    assert refused.status_code == 404 and refused.json["refused"] is True
    assert "not on your caseload" in refused.json["what_to_do"]
    client.post("/sign-out", data={"csrf_token": client.get("/offline/token").json["csrf_token"]})
    new_request_context()

    send = phone("warehouse")
    refused = send(
        "assessment", {"participant": theirs.id, "score": 1, "max_score": 2, "taken_on": "2026-11-21", "venue": "home"}
    )
    assert refused.status_code == 403
    assert count(Loan) == 0 and count(Assessment) == 0

    client.post("/sign-out", data={"csrf_token": client.get("/offline/token").json["csrf_token"]})
    new_request_context()
    send = phone("admin")  # admins act for anyone's participant
    assert send("issue", issue_body(theirs, tag, signature=None)).status_code == 201


def test_a_kit_issued_meanwhile_is_refused_with_its_reason_and_what_to_do(
    phone, world, make_asset, make_participant, issue
):
    person, other, tag = make_participant(), make_participant(), kit_tag(world, make_asset)
    issue(other, tag, actor=world.admin)
    refused = phone("advocate")("issue", issue_body(person, tag))
    assert refused.status_code == 409
    assert refused.json["refused"] is True and tag in refused.json["message"]
    assert refused.json["what_to_do"].startswith("Something changed while you were offline")
    assert count(Loan, participant_id=person.id) == 0


def test_the_kept_copy_is_the_advocates_own_caseload_logged_and_never_cached(
    phone, client, world, make_participant, issue, make_asset
):
    from inventory.services import users

    with unit_of_work():
        colleague, _ = users.create_user("colleague@test.example", "advocate", password="correct horse battery")
    mine = make_participant(name="Alex Middle Example")
    make_participant(advocate=colleague)
    tablet = make_asset("tablet")
    issue(mine, tablet.tag)
    phone("advocate")
    kept = client.get("/offline/kept")
    assert kept.status_code == 200 and kept.headers["Cache-Control"] == "no-store"
    body = kept.json
    assert body["participants"] == [
        {"id": mine.id, "reference": mine.reference, "first_name": "Alex", "programme": "DII"}
    ]
    assert [(i["tag"], i["participant"]) for i in body["on_loan"]] == [(tablet.tag, mine.id)]
    assert body["agreements"]["DII"]["version"] == 1 and body["agreements"]["DII"]["text"]
    assert "WH-MAIN" in {loc["code"] for loc in body["locations"]}
    assert 0 < body["expires_in"] <= 12 * 3600  # thrown away when the session ends
    assert "Example" not in kept.get_data(as_text=True)  # first names only: no surname, phone or email
    assert count(AccessLogEntry, participant_id=mine.id, what="kept for offline work") == 1


def test_sign_out_clears_the_phones_cache_and_storage(phone, client):
    phone("advocate")
    answer = client.post("/sign-out", data={"csrf_token": client.get("/offline/token").json["csrf_token"]})
    assert answer.status_code == 302
    assert answer.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_the_installable_apps_files(client, world):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    app = manifest.json
    assert app["display"] == "standalone" and app["start_url"] == "/" and app["theme_color"]
    for icon in app["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png.mimetype == "image/png"
        from io import BytesIO

        from PIL import Image

        assert Image.open(BytesIO(png.data)).size == tuple(int(n) for n in icon["sizes"].split("x"))
    worker = client.get("/service-worker.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
    assert worker.headers["Cache-Control"] == "no-cache"
    text = worker.get_data(as_text=True)
    assert "workbox" in text and 'url:"/offline"' in text
    assert 'importScripts("/ui/offline-store.js")' in text
    shell = client.get("/offline")
    assert shell.status_code == 200 and shell.headers["Cache-Control"] == "no-cache"
    assert client.get("/icons/app-100.png").status_code == 404


def test_the_apps_files_never_send_a_session_cookie_that_could_undo_a_sign_in(client, world):
    # The service worker fetches these while the sign-in page installs it; an answer that arrived after the
    # sign-in's own and carried the signed-out cookie would sign the person out again.
    assert client.get("/sign-in").headers.getlist("Set-Cookie")  # a session with the form's token
    paths = ["/offline", "/service-worker.js", "/manifest.webmanifest", "/icons/app-192.png", "/ui/offline.js"]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert not answer.headers.getlist("Set-Cookie"), path


def test_the_shell_shows_nobody_even_to_a_signed_in_advocate(phone, client, world, make_participant):
    person = make_participant(name="Visible Name")
    phone("advocate")
    shell = client.get("/offline").get_data(as_text=True)
    for personal in ("advocate@test.example", person.reference, "Visible", "csrf_token", "Sign out"):
        assert personal not in shell
