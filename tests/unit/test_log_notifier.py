"""The log notifier's line says what was sent and to whom only as far as telling recipients apart:
a phone number's last three digits, an email's first letter and the end of its domain."""

from __future__ import annotations

import logging

import pytest

from inventory.notifiers.base import Message, Result
from inventory.notifiers.log import LogNotifier


@pytest.mark.parametrize(
    "to, shown",
    [
        ("+447700900789", "*********789"),
        ("07700 900789", "*********789"),  # the length and spacing say nothing either
        ("jane.smith@example.org", "j***@e***.org"),
        ("jane@janesmith.co.uk", "j***@j***.uk"),
    ],
)
def test_the_log_line_masks_the_recipient(caplog, to, shown):
    channel = "email" if "@" in to else "sms"
    with caplog.at_level(logging.INFO, logger="inventory.notifier"):
        outcome = LogNotifier().send(Message("plan_ending", channel, to, {"programme": "DII"}, "inventory-1"))
    assert outcome.result == Result.SENT
    assert caplog.messages == [f"notification plan_ending {channel} to {shown} (inventory-1)"]
    logged = caplog.text
    assert to not in logged
    assert "900" not in logged and "smith" not in logged and "janesmith" not in logged
