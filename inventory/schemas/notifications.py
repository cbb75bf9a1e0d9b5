"""What the notifications API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..models import NotificationStatus, as_utc
from .common import Derived
from .fields import Choice, Id


class NotificationSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    channel = fields.Str()
    status = fields.Str()
    due_on = fields.Date()
    sent_at = Derived(lambda n: as_utc(n.sent_at).isoformat() if n.sent_at else None, nullable=True, format="date-time")
    participant = fields.Int(attribute="participant_id")
    attempts = fields.Int()
    last_error = fields.Str()


class NotificationQueryArgs(Schema):
    participant = Id(strict=False)
    status = Choice(NotificationStatus)
