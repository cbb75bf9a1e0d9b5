"""What the notifications API takes and answers."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from ..models import DeliveryStatus, NotificationStatus, as_utc
from .common import Derived
from .fields import Choice, Id, Text, cursor_field


class NotificationSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    channel = fields.Str()
    status = fields.Str()
    due_on = fields.Date()
    sent_at = Derived(lambda n: as_utc(n.sent_at).isoformat() if n.sent_at else None, nullable=True, format="date-time")
    participant = fields.Int(attribute="participant_id")
    attempts = fields.Int()
    last_error = fields.Str(allow_none=True)
    delivery_status = fields.Str(
        allow_none=True,
        metadata={
            "enum": ["delivered", "permanent-failure", "temporary-failure", "technical-failure"],
            "description": "what GOV.UK Notify's delivery receipt said; null until it comes",
        },
    )


class DeliveryReceiptArgs(Schema):
    """GOV.UK Notify's delivery receipt (its callback's body). Other fields it sends (the recipient
    among them) are ignored and never stored."""

    class Meta:
        unknown = EXCLUDE

    id = Text(64, required=True, metadata={"description": "Notify's id for the message"})
    reference = Text(100, load_default=None, allow_none=True, metadata={"description": "ours: inventory-N"})
    status = Choice(DeliveryStatus, required=True)


class NotificationQueryArgs(Schema):
    participant = Id(strict=False)
    status = Choice(NotificationStatus)
    cursor = cursor_field()
