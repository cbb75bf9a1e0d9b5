"""Web sessions that end, and accounts looked after on the pages: sign-out, lifetime, re-checks, resets."""

from __future__ import annotations

from datetime import timedelta

from inventory.extensions import db
from inventory.models import WebSession

from .conftest import csrf_from, new_request_context, sign_in

GOOD = "correct horse battery"


def session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie is not None else None


def post(client, path, data, page="/account"):
    token = csrf_from(client.get(page))
    new_request_context()
    response = client.post(path, data={**data, "csrf_token": token})
    new_request_context()
    return response


def test_a_cookie_copied_before_sign_out_no_longer_works(client, world):
    sign_in(client, "admin@test.example")
    assert client.get("/admin/users").status_code == 200
    copied = session_cookie(client)
    post(client, "/sign-out", {}, page="/admin")
    client.set_cookie("session", copied)  # the stolen copy, replayed
    replay = client.get("/admin/users")
    assert replay.status_code == 302 and "/sign-in" in replay.headers["Location"]
    assert db.session.query(WebSession).filter(WebSession.ended_at.is_(None)).count() == 0


def test_the_session_id_changes_at_sign_in(client, world):
    client.get("/sign-in")
    before = session_cookie(client)
    sign_in(client, "advocate@test.example")
    first = session_cookie(client)
    assert first != before
    sign_in(client, "advocate@test.example")
    assert session_cookie(client) != first
    assert db.session.query(WebSession).count() == 2  # one row per sign-in, each with its own key


def test_a_session_ends_after_web_session_hours_however_busy(app, client, world):
    sign_in(client, "advocate@test.example")
    for _ in range(app.config["WEB_SESSION_HOURS"] * 3 - 1):  # a page every 20 minutes, never idle
        app.config["CLOCK"].advance(timedelta(minutes=20))
        assert client.get("/participants").status_code == 200
    app.config["CLOCK"].advance(timedelta(minutes=20, seconds=1))
    over = client.get("/participants")
    assert over.status_code == 302 and "/sign-in" in over.headers["Location"]


def test_ten_wrong_passwords_lock_the_web_sign_in_too(client, world):
    for attempt in range(10):
        assert sign_in(client, "advocate@test.example", password=f"wrong {attempt}").status_code == 401
    locked = sign_in(client, "advocate@test.example")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "Too many wrong passwords" in locked.get_data(as_text=True)


def test_a_deactivated_advocate_is_signed_out_of_the_pages_at_once(client, world):
    sign_in(client, "advocate@test.example")
    assert client.get("/participants").status_code == 200
    advocate = world.people["advocate"].user
    assert client.post(f"/api/v1/users/{advocate.id}/deactivate", headers=world.headers["admin"]).status_code == 200
    gone = client.get("/participants")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]
    refused = sign_in(client, "advocate@test.example")
    assert refused.status_code == 401 and "deactivated" in refused.get_data(as_text=True)


def test_administering_users_asks_for_the_password_again_after_ten_minutes(app, client, world):
    sign_in(client, "admin@test.example")
    assert client.get("/admin/users").status_code == 200
    app.config["CLOCK"].advance(timedelta(minutes=11))
    asked = client.get("/admin/users")
    assert asked.status_code == 302 and "/confirm" in asked.headers["Location"]
    page = client.get(asked.headers["Location"])
    assert "Confirm it is you" in page.get_data(as_text=True)
    new_request_context()
    wrong = client.post("/confirm", data={"password": "not it", "next": "/admin/users", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 401
    new_request_context()
    ok = client.post("/confirm", data={"password": GOOD, "next": "/admin/users", "csrf_token": csrf_from(page)})
    assert ok.status_code == 302 and ok.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200


def test_the_users_page_deactivates_resets_and_unlocks(client, world):
    sign_in(client, "admin@test.example")
    advocate = world.people["advocate"].user
    done = post(client, f"/admin/users/{advocate.id}/deactivate", {}, page="/admin/users")
    assert done.status_code == 302
    assert "is deactivated" in client.get("/admin/users").get_data(as_text=True)
    assert db.session.get(type(advocate), advocate.id).active is False
    post(client, f"/admin/users/{advocate.id}/reactivate", {}, page="/admin/users")
    reset = post(client, f"/admin/users/{advocate.id}/reset-password", {}, page="/admin/users")
    text = reset.get_data(as_text=True)
    assert reset.status_code == 200 and 'one-time password is <code class="app-code">' in text
    one_time = text.split('one-time password is <code class="app-code">')[1].split("</code>")[0]

    other = client.application.test_client()
    sign_in(other, "advocate@test.example", password=one_time)
    first = other.get("/participants")
    assert first.status_code == 302 and first.headers["Location"] == "/account/password"
    page = other.get("/account/password")
    new_request_context()
    changed = other.post(
        "/account/password",
        data={"current_password": one_time, "new_password": "lantern orchard velvet 42", "csrf_token": csrf_from(page)},
    )
    assert changed.status_code == 302
    new_request_context()
    assert other.get("/participants").status_code == 200


def test_changing_the_password_on_the_account_page_signs_out_the_other_browsers(client, world):
    elsewhere = client.application.test_client()
    sign_in(elsewhere, "advocate@test.example")
    sign_in(client, "advocate@test.example")
    weak = post(client, "/account/password", {"current_password": GOOD, "new_password": "password1234"})
    assert weak.status_code == 422 and "easy to guess" in weak.get_data(as_text=True)
    changed = post(client, "/account/password", {"current_password": GOOD, "new_password": "lantern orchard velvet 42"})
    assert changed.status_code == 302
    assert client.get("/participants").status_code == 200
    gone = elsewhere.get("/participants")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]


def test_ones_own_api_token_is_made_on_the_account_page(client, world):
    sign_in(client, "warehouse@test.example")
    made = post(client, "/account/tokens", {"action": "create", "description": "door scanner"})
    token = made.get_data(as_text=True).split("<code data-token>")[1].split("</code>")[0]
    answer = client.get("/api/v1/stock", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_setting_up_an_authenticator_on_the_account_page_then_signing_in_with_it(app, client, world):
    import base64
    import io
    import re

    import pyotp
    import zxingcpp
    from PIL import Image

    from inventory import clock

    sign_in(client, "advocate@test.example")
    started = post(client, "/account/mfa", {})
    text = started.get_data(as_text=True)
    qr = re.search(r'src="data:image/png;base64,([^"]+)"', text).group(1)
    uri = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(qr))))[0].text
    assert uri.startswith("otpauth://totp/") and "advocate%40test.example" in uri
    secret = pyotp.parse_uri(uri).secret
    assert f"<code data-secret>{secret}</code>" in text
    wrong = post(client, "/account/mfa", {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 422 and 'src="data:image/png' in wrong.get_data(as_text=True)  # try again
    done = post(client, "/account/mfa", {"action": "confirm", "code": pyotp.TOTP(secret).at(clock.now())})
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10

    post(client, "/sign-out", {}, page="/account")
    step = sign_in(client, "advocate@test.example")
    assert step.status_code == 302 and step.headers["Location"] == "/sign-in/code"
    assert client.get("/participants").status_code == 302  # not signed in yet
    page = client.get("/sign-in/code")
    new_request_context()
    bad = client.post("/sign-in/code", data={"otp": "000000", "csrf_token": csrf_from(page)})
    assert bad.status_code == 401
    new_request_context()
    app.config["CLOCK"].advance(timedelta(seconds=30))
    good = client.post("/sign-in/code", data={"otp": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(page)})
    assert good.status_code == 302
    new_request_context()
    assert client.get("/participants").status_code == 200


def test_a_role_that_needs_a_second_factor_is_sent_to_set_one_up(app, client, world):
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"advocate"})
    try:
        sign_in(client, "advocate@test.example")
        sent = client.get("/participants")
        assert sent.status_code == 302 and sent.headers["Location"] == "/account#mfa"
        assert "Set up an authenticator app" in client.get("/account").get_data(as_text=True)
    finally:
        app.config["MFA_REQUIRED_ROLES"] = frozenset()
