"""Ways of delivering a message, behind one small interface: `send(message)` and `find(reference)`."""

from __future__ import annotations

from .base import Message, Notifier, Outcome  # noqa: F401


def from_config(config) -> Notifier:
    if config["NOTIFIER"] == "govuk_notify":
        from .govuk_notify import GovukNotifyNotifier

        return GovukNotifyNotifier(
            api_key=config["NOTIFY_API_KEY"],
            base_url=config["NOTIFY_BASE_URL"],
            templates=config["NOTIFY_TEMPLATES"],
            timeout=config["NOTIFY_TIMEOUT"],
        )
    from .log import LogNotifier

    return LogNotifier()
