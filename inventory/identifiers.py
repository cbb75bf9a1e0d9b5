"""Checks and normal forms for the numbers printed on devices and SIM cards (pure functions)."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"[\s\-().]")


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, and the digits of that summed


def luhn_ok(digits: str) -> bool:
    # From the right: every other digit as it is, the ones between doubled (an import checks thousands).
    total = sum(int(ch) for ch in digits[-1::-2]) + sum(_DOUBLED[int(ch)] for ch in digits[-2::-2])
    return total % 10 == 0


def _digits(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def normalise_imei(value: str) -> str:
    """An IMEI is 15 digits ending in a Luhn check digit; spaces and dashes are dropped."""
    digits = _digits(value)
    if not digits.isdigit():
        raise ValueError("an IMEI has only digits")
    if len(digits) != 15:
        raise ValueError(f"an IMEI has 15 digits, this has {len(digits)}")
    if not luhn_ok(digits):
        raise ValueError("the IMEI's check digit is wrong (Luhn check failed)")
    return digits


def normalise_iccid(value: str) -> str:
    """A SIM's ICCID: 18 to 22 digits starting 89 (telecoms), ending in a Luhn check digit."""
    digits = _digits(value)
    if digits.upper().endswith("F"):  # some SIM barcodes pad to an even length with F
        digits = digits[:-1]
    if not digits.isdigit():
        raise ValueError("an ICCID has only digits")
    if not 18 <= len(digits) <= 22:
        raise ValueError(f"an ICCID has 18 to 22 digits, this has {len(digits)}")
    if not digits.startswith("89"):
        raise ValueError("an ICCID starts with 89")
    if not luhn_ok(digits):
        raise ValueError("the ICCID's check digit is wrong (Luhn check failed)")
    return digits


def normalise_uk_mobile(value: str) -> str:
    """A UK mobile number in E.164 form (+447...). Accepts 07..., +44 7..., 0044 7..., 447...,
    and the 10 digits a spreadsheet leaves after dropping the leading 0."""
    raw = value.strip()
    digits = _digits(raw)
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        raise ValueError("a mobile number has only digits, spaces and an optional leading +")
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    if len(digits) != 10 or not digits.startswith("7"):
        raise ValueError("not a UK mobile number (expected 07 followed by 9 digits)")
    return "+44" + digits
