"""The reminders outbox: all of it for admins, their own caseload's for advocates."""

from __future__ import annotations

from marshmallow import Schema, fields

from ...auth import current_user, requires
from ...models import NotificationStatus, as_utc
from ...permissions import Permission
from ...services import notifications
from ..common import Blueprint, Choice, Id, paginate

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="The reminders outbox")


class NotificationSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    channel = fields.Str()
    status = fields.Str()
    due_on = fields.Date()
    sent_at = fields.Function(lambda n: as_utc(n.sent_at).isoformat() if n.sent_at else None)
    participant = fields.Int(attribute="participant_id")
    attempts = fields.Int()
    last_error = fields.Str()


class NotificationQueryArgs(Schema):
    participant = Id(strict=False)
    status = Choice(NotificationStatus)


@blp.route("", methods=["GET"])
@requires(Permission.READ_PLANS)
@blp.arguments(NotificationQueryArgs(), location="query")
@blp.response(200, NotificationSchema(many=True))
@blp.paginate()
def list_notifications(args, pagination_parameters):
    query = notifications.outbox_query(current_user(), participant=args.get("participant"), status=args.get("status"))
    return paginate(query, pagination_parameters)
