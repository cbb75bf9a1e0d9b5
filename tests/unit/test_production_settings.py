"""Production refuses to start on settings that would expose people's data: a short SECRET_KEY, debug
mode, a PUBLIC_BASE_URL that is not https. Real create_app calls (no database is reached: the app only
connects when a request needs it), and the `inventory` command as an operator would run it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inventory import create_app
from inventory.config import ConfigError
from inventory.pdf.signing import make_development_pair

# Production's PDF-signing pair is the operator's; here, one made for the module.
_PAIR = make_development_pair(
    Path(tempfile.mkdtemp(prefix="pdf-pair-")), datetime(2026, 11, 22, tzinfo=UTC), "Test signer"
)
SAFE = {
    "ENV_NAME": "production",
    "SECRET_KEY": "k" * 32,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://inventory@127.0.0.1:9/inventory",
    "PUBLIC_BASE_URL": "https://kit.example.org",
    "PDF_SIGNING_KEY": str(_PAIR[0]),
    "PDF_SIGNING_CERT": str(_PAIR[1]),
}


@pytest.fixture(autouse=True)
def no_debug_from_the_environment(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)


def test_safe_production_settings_start_with_secure_cookies():
    app = create_app(dict(SAFE))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


@pytest.mark.parametrize(
    "change, message",
    [
        ({"SECRET_KEY": "k" * 31}, "SECRET_KEY must be at least 32 bytes in production"),
        ({"SECRET_KEY": "é" * 15}, "SECRET_KEY must be at least 32 bytes"),  # 30 bytes, though 15 characters
        ({"DEBUG": True}, "Debug mode must be off in production"),
        ({"PUBLIC_BASE_URL": "http://kit.example.org"}, "PUBLIC_BASE_URL must be https:// in production"),
        ({"PDF_SIGNING_KEY": ""}, "PDF_SIGNING_KEY and PDF_SIGNING_CERT .* must be set in production"),
        ({"PDF_SIGNING_CERT": ""}, "PDF_SIGNING_KEY and PDF_SIGNING_CERT .* must be set in production"),
        ({"PDF_SIGNING_KEY": "/no/such/key.pem"}, "PDF_SIGNING_KEY names a file this process cannot read"),
    ],
)
def test_production_refuses_unsafe_settings(change, message):
    with pytest.raises(ConfigError, match=message):
        create_app({**SAFE, **change})


def test_flask_debug_in_the_environment_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="Debug mode must be off"):
        create_app(dict(SAFE))


def test_the_same_settings_are_fine_outside_production():
    app = create_app(
        {**SAFE, "ENV_NAME": "development", "SECRET_KEY": "short", "PUBLIC_BASE_URL": "http://127.0.0.1:5000"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_an_https_base_url_makes_the_session_cookie_secure_anywhere():
    app = create_app({**SAFE, "ENV_NAME": "development"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_the_command_exits_with_the_reason(tmp_path):
    env = {
        **os.environ,
        "INVENTORY_ENV": "production",
        "SECRET_KEY": "too-short",
        "DATABASE_URL": SAFE["SQLALCHEMY_DATABASE_URI"],
        "PUBLIC_BASE_URL": SAFE["PUBLIC_BASE_URL"],
    }
    env.pop("FLASK_DEBUG", None)
    command = Path(sys.executable).with_name("inventory")
    result = subprocess.run([str(command), "routes"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert "The inventory refuses to start: SECRET_KEY must be at least 32 bytes in production" in result.stderr
    assert "Traceback" not in result.stderr
