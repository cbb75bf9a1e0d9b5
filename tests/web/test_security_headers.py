"""Every answer carries the security headers (pages, API, errors, files); nothing that may hold personal data
may be cached; HSTS in production only. (In a real browser, tests/browser checks nothing is refused.)"""

from __future__ import annotations

import re

import pytest

from inventory import create_app
from tests.web.conftest import sign_in

EVERY_ANSWER = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
}


def assert_headers(response, *, cacheable: bool = False) -> None:
    for name, value in EVERY_ANSWER.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    if cacheable:
        assert "no-store" not in response.headers.get("Cache-Control", "")
    else:
        assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # not production


def test_every_kind_of_answer_carries_the_headers(client, world, make_asset):
    tag = make_asset().tag
    answers = {
        "the sign-in page": (client.get("/sign-in"), 200),
        "a page that is not there": (client.get("/no/such/page", headers={"Accept": "text/html"}), 404),
        "an API answer": (client.get("/api/v1/stock", headers=world.headers["warehouse"]), 200),
        "an API refusal": (client.get("/api/v1/stock"), 401),
        "an API 404": (client.get("/api/v1/assets/2222222", headers=world.headers["warehouse"]), 404),
        "the OpenAPI document": (client.get("/api/v1/openapi.json"), 200),
        "the API's docs page": (client.get("/api/v1/docs"), 200),
        "a label image": (client.get(f"/api/v1/labels/{tag}.png", headers=world.headers["warehouse"]), 200),
    }
    sign_in(client, "warehouse@test.example")
    answers["a page signed in"] = (client.get(f"/a/{tag}"), 200)
    answers["the scan station"] = (client.get("/scan"), 200)
    answers["a form posted"] = (client.post("/scan", data={"code": tag}), 400)  # no CSRF token
    for what, (response, status) in answers.items():
        assert response.status_code == status, what
        assert_headers(response)


def test_the_apps_own_files_may_be_cached_but_still_carry_the_headers(client):
    for path in ("/ui/site.css", "/ui/scan.js", "/vendor/swagger-ui/swagger-ui-bundle.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_headers(response, cacheable=True)
    missing = client.get("/ui/no-such-file.js")
    assert missing.status_code == 404
    assert_headers(missing)


def test_no_page_has_an_inline_script_style_or_handler(client, world, make_asset):
    """What the CSP would refuse, looked for in the pages themselves (the browser test sees it refused)."""
    sign_in(client, "admin@test.example")
    tag = make_asset().tag
    for path in (
        "/",
        "/scan",
        "/scan?mode=kit",
        "/stock",
        "/participants",
        "/participants/new",
        "/reports",
        "/reminders",
        "/admin",
        "/admin/users",
        "/deliveries",
        f"/a/{tag}",
        "/api/v1/docs",
    ):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page), path


@pytest.fixture
def production(tmp_path):
    from datetime import UTC, datetime

    from inventory.pdf.signing import make_development_pair

    key, cert = make_development_pair(tmp_path, datetime(2026, 11, 22, tzinfo=UTC), "Test signer")
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "a-production-secret-of-at-least-32-bytes",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://inventory@127.0.0.1:9/inventory",
            "PUBLIC_BASE_URL": "https://kit.example.org",
            "PDF_SIGNING_KEY": str(key),
            "PDF_SIGNING_CERT": str(cert),
        }
    )
    return app.test_client()


def test_production_adds_hsts_to_every_answer(production):
    for path in ("/sign-in-nowhere", "/ui/site.css", "/api/v1/openapi.json"):
        response = production.get(path, base_url="https://kit.example.org")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
        assert response.headers["Content-Security-Policy"] == EVERY_ANSWER["Content-Security-Policy"]


def test_with_single_sign_on_forms_may_go_on_to_the_provider_only():
    from inventory.security_headers import CONTENT_SECURITY_POLICY, content_security_policy

    assert content_security_policy({}) == CONTENT_SECURITY_POLICY
    policy = content_security_policy({"OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0"})
    assert "form-action 'self' https://login.microsoftonline.com;" in policy
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy  # nothing else changes
