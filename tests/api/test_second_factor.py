"""The second factor through the API: enrolment, sign-in with a code or a recovery code, required roles."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from inventory import clock

GOOD = "correct horse battery"


def enrol(client, headers):
    started = client.post("/api/v1/auth/mfa", headers=headers)
    assert started.status_code == 201
    secret = started.json["secret"]
    assert started.json["otpauth_uri"].startswith("otpauth://totp/")
    code = pyotp.TOTP(secret).at(clock.now())
    confirmed = client.post("/api/v1/auth/mfa/confirm", json={"code": code}, headers=headers)
    assert confirmed.status_code == 200, confirmed.json
    return secret, confirmed.json["recovery_codes"]


def sign_in(client, otp=None, email="advocate@test.example"):
    body = {"email": email, "password": GOOD} | ({"otp": otp} if otp else {})
    return client.post("/api/v1/auth/tokens", json=body)


def test_once_set_up_signing_in_needs_the_current_code(app, client, world):
    secret, codes = enrol(client, world.headers["advocate"])
    assert len(codes) == 10 and len(set(codes)) == 10
    missing = sign_in(client)
    assert missing.status_code == 401 and missing.json["errors"]["otp"]
    assert sign_in(client, otp="000000").status_code == 401
    app.config["CLOCK"].advance(timedelta(seconds=30))
    code = pyotp.TOTP(secret).at(clock.now())
    assert sign_in(client, otp=code).status_code == 201
    assert sign_in(client, otp=code).status_code == 401  # a code works once


def test_a_recovery_code_works_once(client, world):
    _, codes = enrol(client, world.headers["advocate"])
    assert sign_in(client, otp=codes[0]).status_code == 201
    assert sign_in(client, otp=codes[0]).status_code == 401
    assert sign_in(client, otp=codes[1].upper().replace("-", " ")).status_code == 201  # as people type it


def test_guessing_codes_locks_the_account_even_with_the_right_password(client, world):
    enrol(client, world.headers["advocate"])
    for n in range(10):
        assert sign_in(client, otp=f"{n:06d}").status_code == 401
    assert sign_in(client, otp="123456").status_code == 429


def test_a_wrong_first_code_does_not_switch_it_on(client, world):
    headers = world.headers["advocate"]
    client.post("/api/v1/auth/mfa", headers=headers)
    r = client.post("/api/v1/auth/mfa/confirm", json={"code": "000000"}, headers=headers)
    assert r.status_code == 422 and r.json["errors"]["code"]
    assert sign_in(client).status_code == 201  # still the password alone


def test_enrolling_twice_is_refused(client, world):
    enrol(client, world.headers["advocate"])
    assert client.post("/api/v1/auth/mfa", headers=world.headers["advocate"]).status_code == 409


def test_required_roles_must_set_it_up_before_anything_else(app, client, world):
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"admin", "advocate"})
    try:
        blocked = client.get("/api/v1/participants", headers=world.headers["advocate"])
        assert blocked.status_code == 403 and "second factor" in blocked.json["message"]
        assert client.get("/api/v1/stock", headers=world.headers["warehouse"]).status_code == 200
        enrol(client, world.headers["advocate"])
        assert client.get("/api/v1/participants", headers=world.headers["advocate"]).status_code == 200
    finally:
        app.config["MFA_REQUIRED_ROLES"] = frozenset()


def test_production_requires_it_of_admins_and_advocates_by_default(monkeypatch):
    from inventory.config import load

    monkeypatch.setenv("INVENTORY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1/db")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lending.example.gov.uk")
    monkeypatch.setenv("PDF_SIGNING_KEY", "/run/secrets/pdf-key.pem")  # only the settings are read here
    monkeypatch.setenv("PDF_SIGNING_CERT", "/run/secrets/pdf-cert.pem")
    assert load("/tmp")["MFA_REQUIRED_ROLES"] == frozenset({"admin", "advocate"})


def test_an_admin_removes_the_second_factor_of_someone_who_lost_their_phone(client, world):
    enrol(client, world.headers["advocate"])
    assert sign_in(client).status_code == 401  # needs a code now
    advocate = world.people["advocate"].user
    r = client.post(f"/api/v1/users/{advocate.id}/remove-second-factor", headers=world.headers["admin"])
    assert r.status_code == 200 and r.json["mfa_enabled"] is False
    assert client.get("/api/v1/participants", headers=world.headers["advocate"]).status_code == 401  # ended
    assert sign_in(client).status_code == 201  # the password alone again
