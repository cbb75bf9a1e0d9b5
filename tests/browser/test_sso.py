"""Single sign-on end to end: Chromium, the app, and a real OpenID Provider (panva's oidc-provider under Node,
tests/oidc/provider.mjs) with its own login and consent pages."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import make_server

from inventory import create_app
from inventory.extensions import db
from inventory.models import Role, User
from tests.browser.conftest import DESKTOP, PASSWORD
from tests.conftest import TODAY

pytestmark = pytest.mark.slow

PROVIDER = Path(__file__).resolve().parents[1] / "oidc" / "provider.mjs"
CLIENT_ID, CLIENT_SECRET = "inventory-tests", "a-client-secret-for-tests-only"
ROLE_GROUPS = "admin=g-admins,advocate=g-advocates,partner=g-partners"
# Login names on the provider's login page, and the claims each one's ID token carries.
ACCOUNTS = {
    "known": {"email": "Admin@Test.Example", "email_verified": True, "name": "Ada Admin"},
    "newcomer": {"email": "nia@test.example", "email_verified": True, "name": "Nia Jones", "groups": ["g-advocates"]},
    "promoted": {"email": "advocate@test.example", "email_verified": True, "groups": ["g-admins", "g-advocates"]},
    "stranger": {"email": "stranger@test.example", "email_verified": True, "groups": ["g-elsewhere"]},
    "partner": {"email": "hub@test.example", "email_verified": True, "groups": ["g-partners"]},
    "unverified": {"email": "advocate@test.example", "email_verified": False, "groups": ["g-admins"]},
    "deactivated": {"email": "warehouse@test.example", "email_verified": True},
}


class _Later:
    """A WSGI app set after the server is listening: the provider must know the app's address (its redirect
    URI) before the app, which must know the provider's issuer, is built."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def _start_provider(redirect_uri: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    node = shutil.which("node") or pytest.fail("The single sign-on tests need Node (make test installs it)")
    settings = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [redirect_uri],
        "accounts": ACCOUNTS,
    }
    log = open(log_path, "w")  # closed with the process
    process = subprocess.Popen(
        [node, str(PROVIDER)],
        env={**os.environ, "OIDC_TEST_PROVIDER": json.dumps(settings), "NODE_ENV": "test"},
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    process.log = log
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    if not line:
        process.kill()
        pytest.fail(f"The OpenID provider did not start: {log_path.read_text()}")
    return process, json.loads(line)["issuer"]


@pytest.fixture(scope="module")
def sso(app, database_url, tmp_path_factory):
    """The provider on a free port, then an app configured for it (same database as the suite's `app`),
    served on its own port."""
    later = _Later()
    server = make_server("127.0.0.1", 0, later, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    provider, issuer = _start_provider(base + "/sign-in/oidc/callback", tmp_path_factory.mktemp("oidc") / "node.log")
    later.app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_BASE_URL": base,
            "SECRET_KEY": "test-sso",
            "TODAY": TODAY,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            "OIDC_ISSUER": issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ROLE_GROUPS": ROLE_GROUPS,
        }
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield type("Sso", (), {"base": base, "issuer": issuer, "app": later.app})
    server.shutdown()
    provider.terminate()
    provider.wait(10)
    provider.log.close()


@pytest.fixture
def sso_page(chromium, sso):
    context = chromium.new_context(viewport=DESKTOP, base_url=sso.base)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    db.session.remove()


def sign_in_with_provider(page, login: str, path: str = "/"):
    """From a page of the app, through the provider's login and consent pages; answers the callback's response."""
    page.goto(path)
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything: the development login takes any password")
    page.get_by_role("button", name="Sign-in").click()
    with page.expect_response(lambda response: "/sign-in/oidc/callback" in response.url) as callback:
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    return callback.value


def stored(email: str) -> User | None:
    db.session.rollback()  # this thread's snapshot predates the server's requests
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_a_known_user_signs_in_with_the_provider_using_pkce_state_and_nonce(sso_page, sso, world):
    page = sso_page
    with page.expect_request(lambda request: request.url.startswith(sso.issuer + "/auth?")) as asked:
        page.goto("/stock")
        page.get_by_role("button", name="Sign in with your organisation account").click()
    query = parse_qs(urlsplit(asked.value.url).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [sso.base + "/sign-in/oidc/callback"]
    assert query["scope"] == ["openid email profile"]

    page.locator("input[name=login]").fill("known")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/stock"  # back where they were going
    expect(page.get_by_text("admin@test.example (admin)")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Device lending")).to_be_visible()


def test_a_new_person_in_a_mapped_group_is_created_with_that_role(sso_page, world):
    assert stored("nia@test.example") is None
    sign_in_with_provider(sso_page, "newcomer")
    expect(sso_page.get_by_role("button", name="Go to your participants")).to_be_visible()  # an advocate's home
    assert urlsplit(sso_page.url).path == "/"
    user = stored("nia@test.example")
    assert (user.role, user.name, user.password_hash) == (Role.ADVOCATE, "Nia Jones", None)


def test_the_providers_groups_set_a_known_users_role(sso_page, world):
    sign_in_with_provider(sso_page, "promoted")
    expect(sso_page.get_by_text("advocate@test.example (admin)")).to_be_visible()
    assert stored("advocate@test.example").role == Role.ADMIN


@pytest.mark.parametrize(
    "login, says",
    [
        ("stranger", "Ask an administrator to add you"),
        ("unverified", "did not say that your email address is verified"),
        ("partner", "a partner account belongs to a partner organisation"),
    ],
)
def test_people_the_rule_refuses_see_why_and_are_not_signed_in(sso_page, world, login, says):
    callback = sign_in_with_provider(sso_page, login)
    assert callback.status == 403
    expect(sso_page.get_by_role("heading", name="You cannot sign in here")).to_be_visible()
    expect(sso_page.get_by_text(says)).to_be_visible()
    assert stored("stranger@test.example") is None and stored("hub@test.example") is None
    assert stored("advocate@test.example").role == Role.ADVOCATE  # an unverified claim changes nothing
    sso_page.goto("/")
    assert urlsplit(sso_page.url).path == "/sign-in"


def test_a_deactivated_user_is_refused(sso_page, world):
    world.warehouse.active = False
    db.session.commit()
    callback = sign_in_with_provider(sso_page, "deactivated")
    assert callback.status == 403
    expect(sso_page.get_by_text("This account is deactivated")).to_be_visible()
    sso_page.goto("/scan")
    assert urlsplit(sso_page.url).path == "/sign-in"


def test_with_password_sign_in_off_only_the_organisation_account_signs_in(sso_page, sso, world, monkeypatch):
    page = sso_page
    page.goto("/sign-in")
    assert page.get_by_label("Password").count() == 1  # on by default, beside single sign-on
    monkeypatch.setitem(sso.app.config, "PASSWORD_SIGN_IN", False)

    page.goto("/sign-in")
    assert page.get_by_label("Password").count() == 0 and page.get_by_label("Email").count() == 0
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    typed = page.request.post(
        "/sign-in", form={"csrf_token": csrf, "email": "admin@test.example", "password": PASSWORD}
    )
    assert typed.status == 403 and "organisation account" in typed.text()

    api = requests.post(
        sso.base + "/api/v1/auth/tokens", json={"email": "admin@test.example", "password": PASSWORD}, timeout=10
    )
    assert api.status_code == 403
    assert "sign in with your organisation account" in api.json()["message"]

    sign_in_with_provider(page, "known")
    expect(page.get_by_text("admin@test.example (admin)")).to_be_visible()
