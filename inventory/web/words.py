"""The words pages use for what the database stores: statuses, field names, dates, phone numbers, errors.

Every template reaches these through the filters `register` adds (`status`, `label`, `ukdate`, `ukdatetime`,
`phone`, `place`, `tag_colour`, `words`), and the form helpers in `common.py` turn the schemas' messages into
sentences that say what to do with `error_sentence`, so a word is chosen once for every page.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ..clock import UK
from ..dates import uk_date
from ..models import as_utc

# Statuses of assets, kits, data plans, reminders and deliveries, as people say them.
STATUSES = {
    "received": "Received",
    "in_stock": "In stock",
    "in_kit": "In a kit",
    "on_loan": "On loan",
    "owned": "Participant's own",
    "quarantine": "In quarantine",
    "repair": "At repair",
    "retired": "Retired",
    "assembled": "Ready to issue",
    "dismantled": "Taken apart",
    "active": "Active",
    "expired": "Ended",
    "ended": "Ended early",
    "queued": "Waiting to send",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
    "delivered": "Delivered",
    "permanent-failure": "Number or address does not work",
    "temporary-failure": "Could not be delivered",
    "technical-failure": "Notify's own problem",
    # Stock requests, consignments and their items, stocktakes and what closing one did.
    "requested": "Requested",
    "approved": "Approved",
    "declined": "Declined",
    "packing": "Packing",
    "in_transit": "In transit",
    "part_received": "Part received",
    "closed": "Closed",
    "damaged": "Arrived damaged",
    "missing": "Missing",
    "open": "Open",
    "marked_missing": "Marked missing",
    "moved_here": "Moved here",
    "found": "Found",
    "left": "Left as recorded",
}
# GOV.UK tag colours: green for what is ready, blue for in use, grey for gone, red for needs attention.
TAG_COLOURS = {
    "in_stock": "green",
    "assembled": "green",
    "active": "green",
    "delivered": "green",
    "sent": "green",
    "received": "yellow",
    "in_kit": "turquoise",
    "on_loan": "blue",
    "owned": "purple",
    "quarantine": "orange",
    "repair": "orange",
    "queued": "yellow",
    "sending": "yellow",
    "retired": "grey",
    "dismantled": "grey",
    "expired": "grey",
    "ended": "grey",
    "failed": "red",
    "permanent-failure": "red",
    "temporary-failure": "red",
    "technical-failure": "red",
    "requested": "light-blue",
    "approved": "green",
    "declined": "red",
    "packing": "yellow",
    "in_transit": "blue",
    "part_received": "orange",
    "closed": "grey",
    "damaged": "orange",
    "missing": "red",
    "open": "blue",
    "marked_missing": "red",
    "moved_here": "turquoise",
    "found": "green",
    "left": "grey",
}
# Field names and other stored words whose plain capitalisation would be wrong ("Imei", "Sim").
LABELS = {
    "imei": "IMEI",
    "iccid": "ICCID",
    "sim": "SIM number",
    "sims": "SIM numbers",
    "msisdn": "Phone number of the SIM",
    "data_allowance_gb": "Data allowance (GB)",
    "serial": "Serial number",
    "tag": "Tag",
    "items": "Kit or item tags",
    "issued_on": "Date issued",
    "taken_on": "Date taken",
    "enrolled_on": "Date they joined",
    "max_score": "Out of",
    "score": "Score",
    "venue": "Where",
    "agreement_accepted": "Loan agreement",
    "wipe_certificate": "Wipe certificate",
    "start_position": "First free label",
    "phone": "Mobile number",
    "email": "Email",
    "reference": "Programme reference",
    "referral_source": "Referred by",
    "contact_consent": "Reminders",
    "connectivity_months": "Months of free data",
    "ownership_rule": "When it becomes theirs",
    "pass_mark": "Pass mark",
    "reminder_days": "Reminder days",
    "assessment_name": "Assessment",
    "location": "Location",
    "organisation": "Organisation",
    "programme": "Programme",
    "area": "Area",
    "kind": "Kind",
    "role": "Role",
    "name": "Name",
    "code": "Code",
    "make": "Make",
    "model": "Model",
    "type": "Type",
    "condition": "Condition",
    "batch": "Delivery",
    "mobile_unit": "Mobile unit",
    "on_assessment_pass": "When they pass the assessment",
    "on_issue": "When it is issued",
    "loan_only": "Never: it is lent",
    "jobcentre_plus": "Jobcentre Plus",
    "households_into_work": "Households into Work",
    "self_referral": "Self referral",
    "plan_ending": "Free data ending",
    "plan_ended": "Free data ended",
    "advocate_digest": "Advocate's daily list",
    "assessment_due": "Assessment due",
    "written_off": "Written off",
    "sms": "Text message",
}
# What the schemas say (marshmallow's defaults and ours), and the sentence that says what to do instead.
# {label} is the field's name in lower case as it reads mid-sentence.
_TRANSLATIONS = {
    "Missing data for required field.": "Enter {label}",
    "Field may not be null.": "Enter {label}",
    "Shorter than minimum length 1.": "Enter {label}",
    "Not a valid integer.": "{Label} must be a whole number, like 12",
    "Not a valid number.": "{Label} must be a number, like 12",
    "Not a valid date.": "{Label} must be a real date, like 1 December 2026",
    "Not a valid email address.": "Enter an email address in the right format, like name@example.org",
    "Not a valid string.": "Enter {label} as text",
    "Not a valid boolean.": "Choose yes or no for {label}",
    "Unknown field.": "{Label} is not asked for here: leave it out",
}
_FIELD_SENTENCES = {
    # A tick box that must be ticked says which box and why.
    ("agreement_accepted", "Must be true."): ("Tick the box to confirm they have read and accepted the loan agreement"),
    ("agreement_accepted", "Missing data for required field."): (
        "Tick the box to confirm they have read and accepted the loan agreement"
    ),
    ("items", "Missing data for required field."): "Scan or type the tag of the kit or items to issue",
    ("items", "Shorter than minimum length 1."): "Scan or type the tag of the kit or items to issue",
    ("area", "Missing data for required field."): "Choose the area they live in",
    ("venue", "Missing data for required field."): "Choose where they took the assessment",
    ("role", "Missing data for required field."): "Choose the user's role",
    ("programme", "Missing data for required field."): "Choose a programme",
    ("location", "Missing data for required field."): "Choose a location",
    ("referral_source", "Missing data for required field."): "Choose who referred them",
    # The outcome report's dates the wrong way round (services/reports.py names "from").
    ("from", "Must be on or before 'to'."): "The from date must be the same as or before the to date",
}
_MUST_BE_ONE_OF = re.compile(r"^Must be one of: (.*)\.$")


def label(value) -> str:
    """A stored word or field name as a person reads it: imei -> IMEI, mobile_unit -> Mobile unit."""
    text = str(getattr(value, "value", value) if value is not None else "")
    if text in LABELS:
        return LABELS[text]
    if text in STATUSES:
        return STATUSES[text]
    spaced = text.replace("_", " ").replace("-", " ")
    return spaced[:1].upper() + spaced[1:]


def status(value) -> str:
    """An asset's, kit's, plan's or reminder's status in words: on_loan -> On loan."""
    text = str(getattr(value, "value", value) if value is not None else "")
    return STATUSES.get(text) or label(text)


def tag_colour(value) -> str:
    """The GOV.UK tag modifier for a status (`govuk-tag--blue`), or none for the default dark blue."""
    text = str(getattr(value, "value", value) if value is not None else "")
    colour = TAG_COLOURS.get(text)
    return f"govuk-tag--{colour}" if colour else ""


def ukdate(value) -> str:
    """A date as people in the UK write it: 1 December 2026. Accepts a date, a datetime or ISO text."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(UK).date()
    return uk_date(value)


def ukdatetime(value) -> str:
    """A moment in UK time: 1 December 2026, 2:05pm."""
    if value is None:
        return ""
    local = as_utc(value).astimezone(UK)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def place(location) -> str:
    """A location by its name, with the code people also know it by: North End (HUB-A)."""
    if location is None:
        return ""
    name, code = getattr(location, "name", None), getattr(location, "code", location)
    return f"{name} ({code})" if name else str(code)


def phone(value) -> str:
    """A UK number as people write it: +447700900123 -> 07700 900123; others as stored."""
    text = re.sub(r"[\s()-]", "", str(value or ""))
    if text.startswith("+44"):
        text = "0" + text[3:]
    if re.fullmatch(r"07\d{9}", text):
        return f"{text[:5]} {text[5:]}"
    if re.fullmatch(r"0[12]\d{8,9}", text):  # landlines: 0151 496 0000
        return f"{text[:4]} {text[4:7]} {text[7:]}"
    return str(value or "")


def error_sentence(field: str | None, message: str) -> str:
    """A schema's message about `field` as a sentence that says what to do."""
    message = message.strip()
    if field and (field, message) in _FIELD_SENTENCES:
        return _FIELD_SENTENCES[(field, message)]
    name = label(field) if field else "this"
    if message in _TRANSLATIONS:
        return _TRANSLATIONS[message].format(label=name.lower(), Label=name)
    if message == "Must be true.":
        return f"Tick the box for {name.lower()}"
    choices = _MUST_BE_ONE_OF.match(message)
    if choices:
        options = [label(c.strip()) for c in choices.group(1).split(",")]
        return f"Choose {name.lower()}: {', '.join(options[:-1])} or {options[-1]}" if len(options) > 1 else message
    return message


def register(app) -> None:
    """Make the words available to every template as filters."""
    for name, function in {
        "label": label,
        "status": status,
        "tag_colour": tag_colour,
        "ukdate": ukdate,
        "ukdatetime": ukdatetime,
        "phone": phone,
        "place": place,
    }.items():
        app.add_template_filter(function, name)
