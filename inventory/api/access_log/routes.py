"""The personal-data access log (admins): who opened, listed, exported, changed or erased whose record.
Reading the log is not itself logged: its rows carry no personal data."""

from __future__ import annotations

from ...auth import requires
from ...permissions import Permission
from ...schemas.access_log import AccessLogEntrySchema, AccessLogQueryArgs
from ...services import access_log
from ..common import LIST_HEADERS, Blueprint, paginate_by_cursor

blp = Blueprint(
    "access_log", __name__, url_prefix="/api/v1/access-log", description="The personal-data access log (admins)"
)


@blp.route("", methods=["GET"])
@requires(Permission.ACCESS_LOG)
@blp.arguments(AccessLogQueryArgs(), location="query")
@blp.response(200, AccessLogEntrySchema(many=True), headers=LIST_HEADERS)
@blp.paginate()
def list_entries(args, pagination_parameters):
    """Newest first; `participant` (id), `user` (email), `from` and `to` (days, inclusive) narrow it.
    `page` reaches the first rows; beyond, follow X-Next-Cursor."""
    cursor = args.pop("cursor", None)
    return paginate_by_cursor(
        lambda after: access_log.entry_query(after=after, **args),
        pagination_parameters,
        cursor=cursor,
        filters=args,
        key_of=access_log.entry_key,
    )
