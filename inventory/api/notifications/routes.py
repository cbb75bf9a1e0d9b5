"""The reminders outbox: all of it for admins, their own caseload's for advocates."""

from __future__ import annotations

import hmac

from flask import current_app, request

from ... import clock
from ...auth import current_user, requires
from ...errors import NotFound, Unauthorised
from ...permissions import Permission
from ...schemas.notifications import DeliveryReceiptArgs, NotificationQueryArgs, NotificationSchema
from ...services import delivery, notifications
from ..common import LIST_HEADERS, Blueprint, paginate_by_cursor

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="The reminders outbox")


@blp.route("", methods=["GET"])
@requires(Permission.READ_PLANS)
@blp.arguments(NotificationQueryArgs(), location="query")
@blp.response(200, NotificationSchema(many=True), headers=LIST_HEADERS)
@blp.paginate()
def list_notifications(args, pagination_parameters):
    """Newest first. Follow `X-Next-Cursor` (or the `Link` header) page after page; `page` numbers reach
    the first 10,000 rows only."""
    cursor = args.pop("cursor", None)
    viewer = current_user()
    return paginate_by_cursor(
        lambda after: notifications.outbox_query(viewer, after=after, **args),
        pagination_parameters,
        cursor=cursor,
        filters=args,
        ids=notifications.outbox_ids(viewer, **args),
    )


callbacks = Blueprint(
    "notify_callback", __name__, url_prefix="/api/v1/notify", description="GOV.UK Notify's delivery receipts"
)


def _from_notify() -> None:
    """Notify sends the bearer token we gave it when setting up the callback (NOTIFY_CALLBACK_TOKEN)."""
    expected = current_app.config["NOTIFY_CALLBACK_TOKEN"]
    if not expected:
        raise NotFound("There is nothing at this address.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorised("Send the callback's bearer token (NOTIFY_CALLBACK_TOKEN)")


@callbacks.route("/callback", methods=["POST"])
@callbacks.arguments(DeliveryReceiptArgs())
@callbacks.response(204)
@callbacks.doc(security=[{"bearer": []}])
def delivery_receipt(args):
    """A delivery receipt: delivered, or why not. An SMS that cannot arrive becomes an email where the
    participant gave an address and consented. A receipt for a message we do not know changes nothing."""
    _from_notify()
    delivery.record_receipt(reference=args["reference"], provider_id=args["id"], status=args["status"], now=clock.now())
    return "", 204
