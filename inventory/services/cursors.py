"""Opaque cursors for lists paged by key (the API's lists and the pages' lists alike): the id a page
ended at (and, for a list sorted by something else, that row's sort key) and a digest of the list's
filters, signed with the SECRET_KEY so that a cursor cannot be made up, edited or carried over to another
list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
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


def _loaded(cursor: str, filters: dict, field: str) -> dict:
    try:
        data = _cursors().loads(cursor)
    except BadData:
        raise InvalidInput("The cursor is not one this list gave out", {field: [_REFUSED]}) from None
    after = data.get("after") if isinstance(data, dict) else None
    if type(after) is not int or not 0 <= after <= MAX_ID:
        raise InvalidInput("The cursor is not one this list gave out", {field: [_REFUSED]})
    if data.get("list") != _digest(filters):
        raise InvalidInput("The cursor belongs to a list with other filters", {field: [_REFUSED]})
    return data


def read_cursor(cursor: str, filters: dict, field: str = "cursor") -> int:
    """The id a cursor starts after, or a 422 naming `field` when it is not one this list gave out."""
    return _loaded(cursor, filters, field)["after"]


# --- lists sorted by something other than the id: the cursor holds the last row's (key..., id) -----------

Key = tuple[Any, ...]


def _encode(value: Any) -> Any:
    # JSON has no dates: a datetime or a date goes in tagged, so that it comes back as what it was.
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if hasattr(value, "value"):  # a StrEnum stored by its value
        return value.value
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        if kind == "t" and isinstance(text, str):
            return datetime.fromisoformat(text)
        if kind == "d" and isinstance(text, str):
            return date.fromisoformat(text)
        raise ValueError(kind)
    if value is None or isinstance(value, str | int):
        return value
    raise ValueError(value)


def keyed_cursor_after(key: Sequence[Any], last_id: int, filters: dict) -> str:
    """A cursor for the rows after the one with this sort key and id, in a list with these filters."""
    return _cursors().dumps({"after": last_id, "key": [_encode(v) for v in key], "list": _digest(filters)})


def read_keyed_cursor(cursor: str, filters: dict, size: int | None = None, field: str = "cursor") -> tuple[Key, int]:
    """The (sort key, id) a cursor starts after (`size` values of key, when given), or a 422 naming `field`.
    A cursor of the same list sorted otherwise is refused: the sort is one of the filters."""
    data = _loaded(cursor, filters, field)
    raw = data.get("key")
    try:
        if not isinstance(raw, list) or (size is not None and len(raw) != size):
            raise ValueError(raw)
        key = tuple(_decode(v) for v in raw)
    except ValueError:
        raise InvalidInput("The cursor is not one this list gave out", {field: [_REFUSED]}) from None
    return key, data["after"]


def after_key(columns: Sequence[Any], key: Key, last_id: int, id_column: Any, *, descending: bool = False):
    """A condition: rows after (key, id) in the order `columns..., id` (all ascending, or all descending).

    One row-value comparison, which an index on (columns..., id) answers by a range scan: a page deep in a
    long list costs what the first page costs (no offset)."""
    left = sa.tuple_(*columns, id_column)
    right = sa.tuple_(*(sa.literal(v, c.type) for v, c in zip(key, columns, strict=True)), sa.literal(last_id))
    return left < right if descending else left > right
