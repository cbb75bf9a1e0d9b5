"""The default notifier: records messages instead of sending them (development and demos).

The log line names the kind, channel and reference only; the recipient is masked, so the log holds
no personal data. The messages themselves are kept in memory for anyone who wants to look.
"""

from __future__ import annotations

import logging
import uuid

from .base import Message, Outcome, Result

log = logging.getLogger("inventory.notifier")


def mask(address: str) -> str:
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address[:-4].rstrip() + "****" if len(address) > 4 else "****"


class LogNotifier:
    def __init__(self):
        self.sent: dict[str, Message] = {}

    def send(self, message: Message) -> Outcome:
        provider_id = str(uuid.uuid4())
        self.sent[message.reference] = message
        log.info("notification %s %s to %s (%s)", message.kind, message.channel, mask(message.to), message.reference)
        return Outcome(Result.SENT, provider_id)

    def find(self, reference: str) -> str | None:
        return reference if reference in self.sent else None
