"""Turn the fields of an incoming asset (a JSON body or a manifest row) into clean values.

One set of rules for both ways in, so a field that an import refuses is refused by POST /assets too,
with the same words.
"""

from __future__ import annotations

from typing import Any

from ..identifiers import normalise_iccid, normalise_imei, normalise_uk_mobile
from ..models import HAS_MODEM, NEEDS_SERIAL, AssetType, Condition

FIELDS = (
    "type",
    "make",
    "model",
    "serial",
    "imei",
    "iccid",
    "msisdn",
    "network",
    "data_allowance_gb",
    "condition",
    "wipe_certificate",
    "programme",
    "location",
)
REQUIRED_COLUMNS = ("type", "make", "model", "location")
MAX_LENGTH = {
    "type": 20,
    "make": 80,
    "model": 120,
    "serial": 64,
    "imei": 32,
    "iccid": 32,
    "msisdn": 32,
    "network": 40,
    "data_allowance_gb": 12,
    "condition": 1,
    "wipe_certificate": 64,
    "programme": 20,
    "location": 20,
}
MAX_ALLOWANCE_GB = 100_000

_TYPES = ", ".join(t.value for t in AssetType)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def clean(raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Returns (values, errors); errors are (field, message) pairs. Values are only meaningful when
    there are no errors."""
    text = {name: _text(raw.get(name)) for name in FIELDS}
    errors: list[tuple[str, str]] = []
    out: dict[str, Any] = {}

    for name, value in text.items():
        if len(value) > MAX_LENGTH[name]:
            errors.append((name, f"is {len(value)} characters long; at most {MAX_LENGTH[name]} are allowed"))
            text[name] = ""  # measured once; do not report the same value again below
    for name in REQUIRED_COLUMNS:
        if not text[name] and not any(f == name for f, _ in errors):
            errors.append((name, "is required"))

    kind = None
    if text["type"]:
        try:
            kind = AssetType(text["type"].lower())
        except ValueError:
            errors.append(("type", f"'{text['type']}' is not a type; expected one of {_TYPES}"))
    out["type"] = kind
    out["make"] = text["make"]
    out["model"] = text["model"]
    out["serial"] = text["serial"].upper() or None
    out["network"] = text["network"] or None
    out["wipe_certificate"] = text["wipe_certificate"] or None
    out["programme"] = text["programme"].upper() or None
    out["location"] = text["location"].upper() or None

    out["imei"] = None
    if text["imei"]:
        if kind is not None and kind not in HAS_MODEM:
            errors.append(("imei", f"a {kind.value} has no IMEI; only devices with a mobile modem do"))
        else:
            try:
                out["imei"] = normalise_imei(text["imei"])
            except ValueError as exc:
                errors.append(("imei", f"'{text['imei']}': {exc}"))

    out["iccid"] = out["msisdn"] = out["data_allowance_gb"] = None
    if kind is not None and kind != AssetType.SIM:
        for name in ("iccid", "msisdn", "data_allowance_gb"):
            if text[name]:
                errors.append((name, f"only SIM cards have this, and this row is a {kind.value}"))
    else:
        if text["iccid"]:
            try:
                out["iccid"] = normalise_iccid(text["iccid"])
            except ValueError as exc:
                errors.append(("iccid", f"'{text['iccid']}': {exc}"))
        elif kind == AssetType.SIM:
            errors.append(("iccid", "is required for a SIM card"))
        if text["msisdn"]:
            try:
                out["msisdn"] = normalise_uk_mobile(text["msisdn"])
            except ValueError as exc:
                errors.append(("msisdn", f"'{text['msisdn']}': {exc}"))
        if text["data_allowance_gb"]:
            out["data_allowance_gb"] = _allowance(text["data_allowance_gb"], errors)

    if kind == AssetType.SIM and out["serial"] is None and out["iccid"]:
        out["serial"] = out["iccid"]  # a SIM's own serial number is its ICCID
    if kind in NEEDS_SERIAL and not out["serial"] and not any(f == "serial" for f, _ in errors):
        errors.append(("serial", f"is required for a {kind.value}"))

    out["condition"] = None
    if text["condition"]:
        try:
            out["condition"] = Condition(text["condition"].upper())
        except ValueError:
            errors.append(("condition", f"'{text['condition']}' is not a condition grade; expected A, B or C"))
    return out, errors


def _allowance(value: str, errors: list) -> int | None:
    try:
        number = float(value)
    except ValueError:
        errors.append(("data_allowance_gb", f"'{value}' is not a number"))
        return None
    if number != number or number in (float("inf"), float("-inf")):
        errors.append(("data_allowance_gb", f"'{value}' is not a number"))
        return None
    if not number.is_integer():
        errors.append(("data_allowance_gb", f"'{value}' is not a whole number of gigabytes"))
        return None
    if not 0 <= number <= MAX_ALLOWANCE_GB:
        errors.append(("data_allowance_gb", f"'{value}' must be between 0 and {MAX_ALLOWANCE_GB}"))
        return None
    return int(number)
