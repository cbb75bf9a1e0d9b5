"""Tokens and health."""

import sqlalchemy as sa

from inventory import create_app
from inventory.extensions import db
from inventory.models import ApiToken


def test_sign_in_gives_a_token_and_role_that_work(client, world):
    r = client.post(
        "/api/v1/auth/tokens", json={"email": " Warehouse@Test.example ", "password": "correct horse battery"}
    )
    assert r.status_code == 201 and r.json["role"] == "warehouse"
    assert client.get("/api/v1/assets", headers={"Authorization": f"Bearer {r.json['token']}"}).status_code == 200


def test_tokens_are_stored_only_as_hashes(client, world):
    token = client.post(
        "/api/v1/auth/tokens", json={"email": "admin@test.example", "password": "correct horse battery"}
    ).json["token"]
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(client, world):
    a = client.post("/api/v1/auth/tokens", json={"email": "admin@test.example", "password": "nope"})
    b = client.post("/api/v1/auth/tokens", json={"email": "nobody@test.example", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.json == b.json == {"code": 401, "message": "The email or password is wrong"}


def test_no_token_or_a_bad_token_is_401_with_a_json_message(client, world):
    assert client.get("/api/v1/assets").status_code == 401
    r = client.get("/api/v1/assets", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json["code"] == 401 and "unknown, expired or revoked" in r.json["message"]
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_stops_working(client, world):
    headers = world.headers["advocate"]
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/assets", headers=headers).status_code == 401


def test_health_needs_no_token_and_checks_the_database(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json["database"] == "ok"


def test_health_says_when_the_database_does_not_answer(tmp_path):
    broken = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    r = broken.test_client().get("/api/v1/health")
    assert r.status_code == 503 and r.json["database"] == "unreachable"


def test_a_token_revoked_elsewhere_stops_working_once_the_cache_forgets(client, world):
    from inventory import auth
    from inventory.services import users

    headers = world.headers["warehouse"]
    assert client.get("/api/v1/stock", headers=headers).status_code == 200
    users.revoke_token(world.people["warehouse"].token)  # as the command line or another worker would
    auth.tokens.clear()  # what TOKEN_CACHE_SECONDS passing does
    assert client.get("/api/v1/stock", headers=headers).status_code == 401
