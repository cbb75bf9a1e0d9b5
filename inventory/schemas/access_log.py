"""What the access log API takes and answers (admins). No field carries a participant's personal data."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..models import as_utc
from .common import Derived
from .fields import Id, IsoDateTime, Text, cursor_field


class AccessLogEntrySchema(Schema):
    id = fields.Int()
    at = Derived(lambda e: as_utc(e.at).isoformat(), format="date-time")
    user = Derived(
        lambda e: e.user.email if e.user else None,
        nullable=True,
        description="who, by email; null for the command line and the scheduler",
    )
    action = Derived(lambda e: e.action.value)
    participant = fields.Int(attribute="participant_id")
    participant_reference = Derived(
        lambda e: e.participant.reference, description="the programme's pseudonymous reference"
    )
    what = fields.Str(metadata={"description": "which screen or answer, e.g. 'case file', 'participant list page 2'"})
    channel = Derived(lambda e: e.channel.value, description="api, web, cli or scheduler")


class AccessLogQueryArgs(Schema):
    participant = Id(strict=False)
    user = Text(254, metadata={"description": "the user's email"})
    # "from" is a Python keyword: the query names are from/to, the attributes date_from/date_to.
    date_from = fields.Date(data_key="from", metadata={"description": "on or after this day"})
    date_to = fields.Date(data_key="to", metadata={"description": "on or before this day"})
    cursor = cursor_field()


class AccessRecordSchema(Schema):
    """One entry of a participant's own log, as their subject access export gives it
    (services.access_log.for_participant)."""

    at = IsoDateTime()
    user = fields.Str(allow_none=True, metadata={"description": "who, by email; null for the command line, scheduler"})
    action = fields.Str()
    what = fields.Str()
    channel = fields.Str()
