"""Opaque cursors for lists paged by key (the API's lists and the pages' lists alike): the id a page
ended at and a digest of the list's filters, signed with the SECRET_KEY so that a cursor cannot be
made up, edited or carried over to another list."""

from __future__ import annotations

import hashlib
import json

from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer

from ..errors import InvalidInput
from ..schemas.fields import MAX_ID

_REFUSED = "Copy the X-Next-Cursor of the previous page exactly, with the same filters."


def _cursors() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="list-cursor")


def _digest(filters: dict) -> str:
    """Which list a cursor belongs to: the same endpoint and filters, or it is refused."""
    text = json.dumps({request.endpoint: filters}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cursor_after(last_id: int, filters: dict) -> str:
    """A cursor for the rows after `last_id` (in the list's own order) in a list with these filters."""
    return _cursors().dumps({"after": last_id, "list": _digest(filters)})


def read_cursor(cursor: str, filters: dict, field: str = "cursor") -> int:
    """The id a cursor starts after, or a 422 naming `field` when it is not one this list gave out."""
    try:
        data = _cursors().loads(cursor)
    except BadData:
        raise InvalidInput("The cursor is not one this list gave out", {field: [_REFUSED]}) from None
    after = data.get("after") if isinstance(data, dict) else None
    if type(after) is not int or not 0 <= after <= MAX_ID:
        raise InvalidInput("The cursor is not one this list gave out", {field: [_REFUSED]})
    if data.get("list") != _digest(filters):
        raise InvalidInput("The cursor belongs to a list with other filters", {field: [_REFUSED]})
    return after
