"""Data plans end after whole calendar months."""

from datetime import date

import pytest

from inventory.dates import add_months


@pytest.mark.parametrize(
    "start, months, end",
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 15), 2, date(2026, 5, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 8, 31), 7, date(2027, 3, 31)),  # extending from the start does not drift to the 28th
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 5, 31), -24, date(2024, 5, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_by_the_calendar(start, months, end):
    assert add_months(start, months) == end
