"""Calendar arithmetic for data plans and retention (pure functions)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter:
    31 August + 6 months is 28 February (29 in a leap year)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def uk_date(day: date) -> str:
    """A date as people in the UK write it: 1 December 2026 (pages, and messages that pages show)."""
    return f"{day.day} {day:%B %Y}"
