"""The app's one clock: every date and timestamp the service records or acts on comes from here.

Entry points (requests, CLI commands, jobs) read `today()` and `now()` and pass them to services;
model columns stamp rows with `now()`. An app configured with TODAY (a date) runs on a clock that
starts at noon on that day in the UK and then moves at the speed of real time, so the test suite's
dates never depend on the day it runs, while durations (an idle session, a token's cache) still pass.
Tests move it on with `app.config["CLOCK"].advance(...)` instead of sleeping.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

UK = ZoneInfo("Europe/London")


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that starts at a chosen instant and runs on from there at real speed (monotonic)."""

    def __init__(self, start: datetime):
        self._start = start.astimezone(UTC)
        self._started = _time.monotonic()
        self._offset = timedelta()

    @classmethod
    def on(cls, day: date) -> FrozenClock:
        return cls(datetime.combine(day, time(12), tzinfo=UK))

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def now(self) -> datetime:
        return self._start + self._offset + timedelta(seconds=_time.monotonic() - self._started)


_SYSTEM = SystemClock()


def current() -> SystemClock | FrozenClock:
    if has_app_context():
        return current_app.config.get("CLOCK") or _SYSTEM
    return _SYSTEM


def now() -> datetime:
    """This moment, timezone-aware in UTC."""
    return current().now()


def today() -> date:
    """Today's date where the programmes run (the UK)."""
    return now().astimezone(UK).date()
