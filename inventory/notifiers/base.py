"""What a notifier is given and what it answers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    kind: str  # a NotificationKind value: chooses the template
    channel: str  # "sms" or "email"
    to: str  # the phone number or email address, read at send time
    personalisation: dict = field(default_factory=dict)
    reference: str = ""  # ours, unique per outbox row: how an unknown outcome is looked up


class Result(enum.StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # try again later (timeouts before sending, 429, 5xx)
    PERMANENT = "permanent"  # never retry (400, 403: a bad number, a bad key, a missing template)
    UNKNOWN = "unknown"  # it may have been sent (the connection dropped): ask before resending


@dataclass(frozen=True)
class Outcome:
    result: Result
    provider_id: str | None = None
    reason: str | None = None


class Notifier(Protocol):
    def send(self, message: Message) -> Outcome: ...

    def find(self, reference: str) -> str | None:
        """The provider's id for a message sent with this reference, or None if it never arrived."""
