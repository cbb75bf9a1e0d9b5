"""Staff accounts through the API: guessing limits, a leaver stopped, resets, password changes, token expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from inventory import auth
from inventory.extensions import db
from inventory.models import ApiToken, SignInFailure, User
from inventory.services import sign_in_rules

GOOD = "correct horse battery"


def sign_in(client, email="advocate@test.example", password=GOOD, address="127.0.0.1"):
    return client.post(
        "/api/v1/auth/tokens",
        json={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_ten_wrong_passwords_lock_the_account_for_fifteen_minutes_even_for_the_right_one(app, client, world):
    for attempt in range(10):
        r = sign_in(client, password=f"wrong guess {attempt}")
        assert r.status_code == 401 and r.json["message"] == "The email or password is wrong"
    locked = sign_in(client)
    assert locked.status_code == 429
    assert 840 <= int(locked.headers["Retry-After"]) <= 900
    assert "try again in 15 minutes" in locked.json["message"]
    app.config["CLOCK"].advance(timedelta(minutes=15, seconds=1))
    assert sign_in(client).status_code == 201


def test_an_admin_unlocks_a_locked_account(client, world):
    for attempt in range(10):
        sign_in(client, password=f"wrong guess {attempt}")
    assert sign_in(client).status_code == 429
    advocate = world.people["advocate"].user
    listed = {u["email"]: u for u in client.get("/api/v1/users", headers=world.headers["admin"]).json}
    assert listed["advocate@test.example"]["locked"] is True
    r = client.post(f"/api/v1/users/{advocate.id}/unlock", headers=world.headers["admin"])
    assert r.status_code == 200 and r.json["locked"] is False
    assert sign_in(client).status_code == 201
    # The count starts again from nothing: nine more failures do not lock it.
    for attempt in range(9):
        sign_in(client, password=f"again {attempt}")
    assert sign_in(client).status_code == 201


def test_failures_are_counted_although_the_request_is_refused(client, world):
    sign_in(client, password="not it at all")
    sign_in(client, email="nobody@test.example", password="not it either")
    rows = db.session.execute(sa.select(SignInFailure.user_id, SignInFailure.address)).all()
    assert sorted(rows, key=str) == sorted(
        [(world.people["advocate"].user.id, "127.0.0.1"), (None, "127.0.0.1")], key=str
    )


def test_one_address_guessing_across_many_accounts_is_slowed(client, world):
    for n in range(sign_in_rules.ADDRESS_FAILURES):
        assert (
            sign_in(client, email=f"guess-{n}@test.example", password="password", address="203.0.113.9").status_code
            == 401
        )
    slowed = sign_in(client, address="203.0.113.9")
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
    assert "from this address" in slowed.json["message"]
    # Someone else, elsewhere, signs in as usual.
    assert sign_in(client, address="198.51.100.7").status_code == 201


def test_an_unknown_email_costs_the_same_hashing_as_a_wrong_password(client, world, monkeypatch):
    calls = []
    real = sign_in_rules.check_password_hash
    monkeypatch.setattr(sign_in_rules, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    sign_in(client, email="advocate@test.example", password="a wrong password")
    sign_in(client, email="nobody@test.example", password="a wrong password")
    assert len(calls) == 2
    method = lambda stored: stored.split("$")[0]  # noqa: E731
    assert method(calls[0]) == method(calls[1])  # the same work, so the same time


def test_a_huge_password_is_refused_before_any_hashing(client, world, monkeypatch):
    monkeypatch.setattr(sign_in_rules, "check_password_hash", lambda *a: pytest.fail("hashed a huge password"))
    r = sign_in(client, password="x" * 1_000_000)
    assert r.status_code == 422 and "password" in r.json["errors"]["json"]


def test_a_deactivated_user_is_stopped_at_once_and_cannot_sign_in(client, world):
    advocate = world.people["advocate"]
    assert client.get("/api/v1/participants", headers=world.headers["advocate"]).status_code == 200
    r = client.post(f"/api/v1/users/{advocate.user.id}/deactivate", headers=world.headers["admin"])
    assert r.status_code == 200 and r.json["active"] is False
    assert client.get("/api/v1/participants", headers=world.headers["advocate"]).status_code == 401
    refused = sign_in(client)
    assert refused.status_code == 401 and refused.json["message"] == "This account is deactivated: ask an administrator"
    # A wrong password still says only that it is wrong: deactivation is no hint to a guesser.
    assert sign_in(client, password="not the password").json["message"] == "The email or password is wrong"
    assert (
        client.post(f"/api/v1/users/{advocate.user.id}/reactivate", headers=world.headers["admin"]).status_code == 200
    )
    assert sign_in(client).status_code == 201


def test_an_admin_cannot_deactivate_themself(client, world):
    r = client.post(f"/api/v1/users/{world.admin.id}/deactivate", headers=world.headers["admin"])
    assert r.status_code == 409 and "another administrator" in r.json["message"]


def test_a_reset_gives_a_one_time_password_that_must_be_changed_first(client, world):
    advocate = world.people["advocate"]
    r = client.post(f"/api/v1/users/{advocate.user.id}/reset-password", headers=world.headers["admin"])
    assert r.status_code == 200 and r.json["must_change_password"] is True
    one_time = r.json["password"]
    assert len(one_time) >= 20
    assert client.get("/api/v1/participants", headers=world.headers["advocate"]).status_code == 401  # old token
    assert sign_in(client).status_code == 401  # old password
    token = sign_in(client, password=one_time).json["token"]
    blocked = client.get("/api/v1/participants", headers=bearer(token))
    assert blocked.status_code == 403 and "POST /api/v1/auth/password" in blocked.json["message"]
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": one_time, "new_password": "lantern orchard velvet 42"},
        headers=bearer(token),
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/participants", headers=bearer(token)).status_code == 200
    assert sign_in(client, password="lantern orchard velvet 42").status_code == 201


def test_changing_ones_password_ends_the_other_tokens_but_not_this_one(client, world):
    other = sign_in(client).json["token"]
    this = sign_in(client).json["token"]
    r = client.post(
        "/api/v1/auth/password",
        json={"current_password": GOOD, "new_password": "lantern orchard velvet 42"},
        headers=bearer(this),
    )
    assert r.status_code == 204
    assert client.get("/api/v1/participants", headers=bearer(this)).status_code == 200
    assert client.get("/api/v1/participants", headers=bearer(other)).status_code == 401
    assert client.get("/api/v1/participants", headers=world.headers["advocate"]).status_code == 401
    assert sign_in(client).status_code == 401


@pytest.mark.parametrize(
    "weak",
    ["aaaaaaaaaaaa", "1234567890ab", "password1234", " " * 12, "advocate@test.example", "short"],
)
def test_guessable_or_short_passwords_are_refused(client, world, weak):
    r = client.post(
        "/api/v1/auth/password",
        json={"current_password": GOOD, "new_password": weak},
        headers=world.headers["advocate"],
    )
    assert r.status_code == 422 and r.json["errors"]["new_password"], r.json
    email = "newcomer.smith@test.example"
    password = email if "@" in weak else weak  # one's own email is guessable
    made = client.post(
        "/api/v1/users",
        json={"email": email, "role": "warehouse", "password": password},
        headers=world.headers["admin"],
    )
    assert made.status_code == 422 and made.json["errors"]["password"]


def test_a_password_over_256_characters_is_refused(client, world):
    r = client.post(
        "/api/v1/users",
        json={"email": "n@test.example", "role": "warehouse", "password": "lantern orchard " * 17},
        headers=world.headers["admin"],
    )
    assert r.status_code == 422 and "password" in r.json["errors"]["json"]


def test_the_wrong_current_password_changes_nothing(client, world):
    r = client.post(
        "/api/v1/auth/password",
        json={"current_password": "not my password", "new_password": "lantern orchard velvet 42"},
        headers=world.headers["advocate"],
    )
    assert r.status_code == 422 and r.json["errors"]["current_password"]
    assert sign_in(client).status_code == 201


def test_tokens_expire_after_token_days(app, client, world):
    answer = sign_in(client).json
    assert answer["expires_at"].startswith("2026-12-22")  # noon on 22 Nov + 30 days
    token = answer["token"]
    app.config["CLOCK"].advance(timedelta(days=29, hours=23))
    assert client.get("/api/v1/participants", headers=bearer(token)).status_code == 200
    app.config["CLOCK"].advance(timedelta(hours=2))
    expired = client.get("/api/v1/participants", headers=bearer(token))
    assert expired.status_code == 401 and "expired" in expired.json["message"]


def test_a_worker_trusts_a_token_for_at_most_a_second(app, world):
    """What another worker knows: a revocation there is seen here once a second has passed."""
    assert app.config["TOKEN_CACHE_SECONDS"] <= 1
    cache = auth.TokenCache()
    principal = object()
    cache.put("key", principal, app.config["TOKEN_CACHE_SECONDS"], now=100.0)  # type: ignore[arg-type]
    assert cache.get("key", now=100.5) is principal
    assert cache.get("key", now=101.0) is None


def test_the_settings_refuse_a_token_cache_longer_than_a_second():
    from inventory.config import ConfigError, load

    with pytest.raises(ConfigError, match="TOKEN_CACHE_SECONDS"):
        load("/tmp", {"TOKEN_CACHE_SECONDS": 30})


def test_nobody_makes_a_token_in_someone_elses_name(client, world):
    # The sign-in endpoint is the only way in the API, and it needs the person's own password.
    tokens_before = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    r = client.post(f"/admin/users/{world.people['advocate'].user.id}/tokens", data={"action": "create"})
    assert r.status_code in (404, 405)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == tokens_before


def test_the_user_list_says_who_is_deactivated_or_must_change_their_password(client, world):
    advocate = world.people["advocate"].user
    client.post(f"/api/v1/users/{advocate.id}/reset-password", headers=world.headers["admin"])
    row = next(u for u in client.get("/api/v1/users", headers=world.headers["admin"]).json if u["id"] == advocate.id)
    assert row["must_change_password"] is True and row["active"] is True
    assert db.session.get(User, advocate.id).must_change_password is True


def test_behind_a_trusted_proxy_the_clients_own_address_is_counted(app, world):
    from inventory import create_app

    behind = create_app(
        {
            key: app.config[key]
            for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "PUBLIC_BASE_URL", "SECRET_KEY", "PASSWORD_HASH_METHOD")
        }
        | {"TRUSTED_PROXIES": 1, "CLOCK": app.config["CLOCK"]}
    )
    with behind.test_client() as proxied:
        proxied.post(
            "/api/v1/auth/tokens",
            json={"email": "advocate@test.example", "password": "not it"},
            headers={"X-Forwarded-For": "203.0.113.50"},
            environ_overrides={"REMOTE_ADDR": "10.0.0.2"},  # the load balancer
        )
    assert db.session.scalars(sa.select(SignInFailure.address)).all() == ["203.0.113.50"]


def test_guessing_the_current_password_on_a_stolen_token_locks_the_account(client, world):
    for n in range(10):
        r = client.post(
            "/api/v1/auth/password",
            json={"current_password": f"guess number {n}", "new_password": "lantern orchard velvet 42"},
            headers=world.headers["advocate"],
        )
        assert r.status_code == 422
    locked = client.post(
        "/api/v1/auth/password",
        json={"current_password": GOOD, "new_password": "lantern orchard velvet 42"},
        headers=world.headers["advocate"],
    )
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert sign_in(client).status_code == 429  # and signing in is locked too
