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
