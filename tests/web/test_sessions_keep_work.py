"""An idle sign-out does not lose the work: the form posted too late is kept for its author, sign-in comes back
to the page the form was on (never to a POST-only address: a 405), and the warning's endpoints."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import unquote

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import KeptForm, Loan
from tests.web.conftest import csrf_from, new_request_context, sign_in


def idle_past_timeout(app):
    app.config["CLOCK"].advance(timedelta(minutes=app.config["WEB_IDLE_MINUTES"], seconds=5))
    new_request_context()  # the session (and its CSRF token) is about to end


def kept_on(page) -> dict | None:
    found = re.search(r'<script type="application/json" id="kept-form">(.*?)</script>', page.get_data(as_text=True))
    return json.loads(found.group(1)) if found else None


def test_a_form_posted_after_the_timeout_comes_back_after_signing_in(app, client, world, make_participant, make_asset):
    person, tablet = make_participant(), make_asset("tablet")
    sign_in(client, "advocate@test.example")
    page_path = f"/participants/{person.id}/issue"
    token = csrf_from(client.get(page_path))
    idle_past_timeout(app)
    late = client.post(
        page_path,
        data={"csrf_token": token, "items": tablet.tag, "agreement": "yes", "idempotency_key": "k-1", "password": "x"},
        headers={"Referer": f"http://localhost{page_path}"},
    )
    assert late.status_code == 302 and unquote(late.headers["Location"]) == f"/sign-in?next={page_path}"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan)) == 0  # nothing was issued
    kept = db.session.scalar(sa.select(KeptForm))
    assert kept.fields["items"] == [tablet.tag] and "password" not in kept.fields and "csrf_token" not in kept.fields
    new_request_context()
    assert "What you typed is kept" in client.get("/sign-in").get_data(as_text=True)

    back = sign_in(client, "advocate@test.example", next_path=page_path)
    assert back.headers["Location"] == page_path
    restored = kept_on(client.get(page_path))
    assert restored == {"action": page_path, "fields": kept.fields}
    assert kept_on(client.get("/stock")) is None  # only on its own page
    # Sending a form again uses it up.
    new_request_context()
    client.post(
        page_path, data={"csrf_token": csrf_from(client.get(page_path)), "items": tablet.tag, "agreement": "yes"}
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptForm)) == 0


def test_someone_else_signing_in_on_that_browser_does_not_get_it(app, client, world, make_participant):
    person = make_participant()
    sign_in(client, "advocate@test.example")
    page_path = f"/participants/{person.id}/edit"
    token = csrf_from(client.get(page_path))
    idle_past_timeout(app)
    client.post(page_path, data={"csrf_token": token, "name": "A New Name"}, headers={"Referer": page_path})
    sign_in(client, "admin@test.example", next_path=page_path)
    assert kept_on(client.get(page_path)) is None


def test_a_post_only_address_never_becomes_the_sign_in_next(app, client, world, make_participant):
    person = make_participant()
    sign_in(client, "advocate@test.example")
    token = csrf_from(client.get(f"/participants/{person.id}"))
    idle_past_timeout(app)
    late = client.post(
        f"/participants/{person.id}/assessments",
        data={"csrf_token": token, "score": "18"},
        headers={"Referer": f"/participants/{person.id}"},
    )
    assert unquote(late.headers["Location"]) == f"/sign-in?next=/participants/{person.id}"
    # Signed out (elsewhere) and posting: back to the page, not the POST-only address.
    signed_out = client.post(f"/participants/{person.id}/assessments", data={"csrf_token": token})
    assert signed_out.status_code in (302, 400)
    if signed_out.status_code == 302:
        assert "assessments" not in unquote(signed_out.headers["Location"])
    # A page re-shown at a POST-only address (the admin forms) as the referrer: home instead.
    sign_in(client, "admin@test.example")
    token = csrf_from(client.get("/admin"))
    idle_past_timeout(app)
    late = client.post(
        "/admin/programme", data={"csrf_token": token, "code": "X"}, headers={"Referer": "/admin/programme"}
    )
    assert unquote(late.headers["Location"]) == "/sign-in?next=/"
    back = sign_in(client, "admin@test.example", next_path="/")
    assert client.get(back.headers["Location"]).status_code == 200


def test_time_left_does_not_count_as_activity_and_keep_alive_does(app, client, world):
    sign_in(client, "advocate@test.example")
    token = csrf_from(client.get("/stock"))
    idle = app.config["WEB_IDLE_MINUTES"] * 60
    app.config["CLOCK"].advance(timedelta(seconds=idle - 100))

    def left() -> int:
        return client.get("/session/time-left").json["seconds_left"]

    # The suite's clock moves at real speed, so a second may pass between two questions.
    first = left()
    assert 98 <= first <= 100
    assert first - 2 <= left() <= first  # asking changed nothing: the time was not reset
    assert client.post("/session/keep-alive", headers={"X-CSRFToken": token}).status_code == 204
    assert idle - 2 <= left() <= idle
    # When the time is up the script posts the page's form to be kept.
    app.config["CLOCK"].advance(timedelta(seconds=idle + 3))
    up = client.post(
        "/session/timed-out",
        data={"csrf_token": token, "__path": "/stock", "__action": "/stock", "note": "typed"},
    )
    assert up.status_code == 200 and up.json["sign_in"] == "/sign-in?next=/stock"
    kept = db.session.scalar(sa.select(KeptForm))
    assert kept.fields == {"note": ["typed"]} and kept.path == "/stock"
