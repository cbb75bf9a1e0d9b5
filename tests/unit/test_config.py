"""Settings from the environment, checked at start."""

import uuid

import pytest

from inventory.config import ConfigError, load
from inventory.notifiers import from_config
from inventory.notifiers.govuk_notify import GovukNotifyNotifier
from inventory.notifiers.log import LogNotifier


def test_notify_settings_and_one_template_per_kind_and_channel(monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFIER", "govuk_notify")
    monkeypatch.setenv("NOTIFY_API_KEY", f"key-{uuid.uuid4()}-{uuid.uuid4()}")
    monkeypatch.setenv("NOTIFY_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("NOTIFY_TEMPLATE_PLAN_ENDING_SMS", "t-sms")
    monkeypatch.setenv("NOTIFY_TEMPLATE_ADVOCATE_DIGEST_EMAIL", "t-digest")
    config = load(str(tmp_path))
    notifier = from_config(config)
    assert isinstance(notifier, GovukNotifyNotifier)
    assert notifier.templates == {"plan_ending_sms": "t-sms", "advocate_digest_email": "t-digest"}
    assert notifier.client.base_url == "http://127.0.0.1:9"


def test_the_log_notifier_is_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("NOTIFIER", raising=False)
    assert isinstance(from_config(load(str(tmp_path))), LogNotifier)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("NOTIFIER", "pigeon", "NOTIFIER must be"),
        ("ZPL_DPI", "600", "ZPL_DPI must be 203 or 300"),
        ("LABEL_OFFSET_L7651", "left", "two numbers of millimetres"),
        ("PUBLIC_BASE_URL", "kit.example.org", "must start with http"),
        ("IDEMPOTENCY_KEY_DAYS", "1", "IDEMPOTENCY_KEY_DAYS must be between 2 and 90"),
        ("IDEMPOTENCY_KEY_DAYS", "91", "IDEMPOTENCY_KEY_DAYS must be between 2 and 90"),
    ],
)
def test_bad_settings_stop_the_app_starting(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load(str(tmp_path))


def test_production_needs_a_secret_and_postgresql(monkeypatch, tmp_path):
    monkeypatch.setenv("INVENTORY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s3cret-" * 6)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load(str(tmp_path))


OIDC = {"OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0", "OIDC_CLIENT_ID": "app-id"}


def test_single_sign_on_is_off_and_passwords_on_by_default(monkeypatch, tmp_path):
    for name in (*OIDC, "OIDC_CLIENT_SECRET", "OIDC_ROLE_GROUPS", "PASSWORD_SIGN_IN"):
        monkeypatch.delenv(name, raising=False)
    config = load(str(tmp_path))
    assert config["OIDC_ISSUER"] == "" and config["OIDC_ROLE_GROUPS"] == {}
    assert config["PASSWORD_SIGN_IN"] is True
    assert config["OIDC_SCOPES"] == "openid email profile" and config["OIDC_GROUPS_CLAIM"] == "groups"


def test_single_sign_on_settings_and_role_groups(monkeypatch, tmp_path):
    for name, value in OIDC.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("OIDC_ROLE_GROUPS", " admin = g-admins, advocate=g-advocates,advocate=g-more ")
    monkeypatch.setenv("PASSWORD_SIGN_IN", "false")
    config = load(str(tmp_path))
    assert config["OIDC_ROLE_GROUPS"] == {"g-admins": "admin", "g-advocates": "advocate", "g-more": "advocate"}
    assert config["PASSWORD_SIGN_IN"] is False


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"OIDC_ISSUER": "https://idp.example"}, "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET not set"),
        ({**OIDC}, "OIDC_CLIENT_SECRET not set"),
        ({"OIDC_CLIENT_SECRET": "s3cret"}, "OIDC_ISSUER, OIDC_CLIENT_ID not set"),
        ({**OIDC, "OIDC_CLIENT_SECRET": "s", "OIDC_ROLE_GROUPS": "boss=g1"}, "unknown role 'boss'"),
        ({**OIDC, "OIDC_CLIENT_SECRET": "s", "OIDC_ROLE_GROUPS": "admin"}, "role=<group id>"),
        ({**OIDC, "OIDC_CLIENT_SECRET": "s", "OIDC_ROLE_GROUPS": "admin=g1,advocate=g1"}, "one group two roles"),
        ({**OIDC, "OIDC_CLIENT_SECRET": "s", "OIDC_ISSUER": "http://idp.example"}, "https://"),
        ({**OIDC, "OIDC_CLIENT_SECRET": "s", "OIDC_SCOPES": "email profile"}, "must include openid"),
        ({**OIDC, "OIDC_CLIENT_SECRET": "s", "PASSWORD_SIGN_IN": "nope"}, "true or false"),
        ({"OIDC_ROLE_GROUPS": "admin=g1"}, "OIDC_ROLE_GROUPS needs single sign-on"),
        ({"PASSWORD_SIGN_IN": "false"}, "nobody could sign in"),
    ],
)
def test_bad_single_sign_on_settings_stop_the_app_starting(monkeypatch, tmp_path, settings, message):
    for name in (*OIDC, "OIDC_CLIENT_SECRET", "OIDC_ROLE_GROUPS", "PASSWORD_SIGN_IN", "OIDC_SCOPES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load(str(tmp_path))


def test_stocktakes_are_due_after_90_days_unless_set_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("STOCKTAKE_DAYS", raising=False)
    assert load(str(tmp_path))["STOCKTAKE_DAYS"] == 90
    monkeypatch.setenv("STOCKTAKE_DAYS", "30")
    assert load(str(tmp_path))["STOCKTAKE_DAYS"] == 30
    monkeypatch.setenv("STOCKTAKE_DAYS", "0")
    with pytest.raises(ConfigError, match="STOCKTAKE_DAYS"):
        load(str(tmp_path))
