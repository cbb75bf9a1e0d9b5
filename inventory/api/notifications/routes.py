"""The reminders outbox: all of it for admins, their own caseload's for advocates."""

from __future__ import annotations

from ...auth import current_user, requires
from ...permissions import Permission
from ...schemas.notifications import NotificationQueryArgs, NotificationSchema
from ...services import notifications
from ..common import Blueprint, paginate

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="The reminders outbox")


@blp.route("", methods=["GET"])
@requires(Permission.READ_PLANS)
@blp.arguments(NotificationQueryArgs(), location="query")
@blp.response(200, NotificationSchema(many=True))
@blp.paginate()
def list_notifications(args, pagination_parameters):
    query = notifications.outbox_query(current_user(), participant=args.get("participant"), status=args.get("status"))
    return paginate(query, pagination_parameters)
