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
    """Enough to tell two recipients apart in a log, not enough to reach or name anyone: a phone number's last
    three digits (always behind nine stars, so the length says nothing), an email's first letter and the end
    of its domain (jane@janesmith.co.uk -> j***@j***.uk)."""
    if "@" in address:
        name, _, domain = address.partition("@")
        host, dot, top = domain.rpartition(".")
        return f"{name[:1]}***@{host[:1]}***{dot}{top}" if host else f"{name[:1]}***@***"
    digits = "".join(c for c in address if c.isdigit())
    return "*********" + digits[-3:] if len(digits) > 6 else "*********"


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
