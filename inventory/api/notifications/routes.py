"""The reminders outbox: all of it for admins, their own caseload's for advocates."""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields

from ...auth import current_user, requires
from ...models import Notification, NotificationStatus, Participant, as_utc
from ...permissions import Permission, whole_caseload
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
    viewer = current_user()
    query = sa.select(Notification)
    if not whole_caseload(viewer.role):
        mine = sa.select(Participant.id).where(Participant.advocate_id == viewer.id)
        query = query.where(sa.or_(Notification.participant_id.in_(mine), Notification.advocate_id == viewer.id))
    if args.get("participant"):
        query = query.where(Notification.participant_id == args["participant"])
    if args.get("status"):
        query = query.where(Notification.status == args["status"])
    return paginate(query.order_by(Notification.id.desc()), pagination_parameters)
