"""Today's date where the programmes run. Only entry points call this; services take `today`.

An app configured with TODAY (a date) uses that instead: the test suite fixes its date this way,
so tests written today still pass next year.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

UK = ZoneInfo("Europe/London")


def today() -> date:
    if has_app_context() and current_app.config.get("TODAY") is not None:
        return current_app.config["TODAY"]
    return datetime.now(UK).date()
