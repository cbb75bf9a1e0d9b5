"""Pieces every API blueprint uses: bounded string fields, pagination over a select (by page, or by a
cursor for the long lists), tag paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import flask_smorest
import sqlalchemy as sa
from flask import request
from flask_smorest import abort
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

from ..errors import InvalidInput
from ..extensions import db
from ..schemas.fields import MAX_ID
from ..services.cursors import cursor_after, keyed_cursor_after, read_cursor, read_keyed_cursor

# A list counts its rows up to this many, and pages by number only this deep; past it, by cursor.
COUNT_CAP = 10_000
NEXT_CURSOR_HEADER = "X-Next-Cursor"
LIST_HEADERS = {
    NEXT_CURSOR_HEADER: {
        "description": "Where the next page starts: pass it back as `cursor`. Absent on the last page.",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'The next page\'s address, `<…>; rel="next"`. Absent on the last page.',
        "schema": {"type": "string"},
    },
}


def paginate(query: sa.Select, pagination_parameters):
    """Run one page of a select and tell flask-smorest how many rows there are in all."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total
    page, size = pagination_parameters.page, pagination_parameters.page_size
    if (page - 1) * size >= total:
        return []  # past the last page (also: no offset too large for the database to take)
    return list(db.session.scalars(query.offset((page - 1) * size).limit(size)).unique())


def paginate_by_cursor(
    query_after: Callable[[Any], sa.Select],
    pagination_parameters,
    *,
    cursor: str | None,
    filters: dict,
    key_of: Callable[[Any], tuple] | None = None,
    ids: sa.Select | sa.CompoundSelect | None = None,
):
    """One page of a list kept in id order: `query_after(id)` selects the rows after that id (all with None).

    With a cursor, the page starts right after the row the cursor names, however deep (no offset, no count,
    no X-Pagination), so rows inserted meanwhile never shift a page onto rows already seen. Without one,
    `page` works as before for the first COUNT_CAP rows; the total is counted up to COUNT_CAP, and past it
    reported as `{"more_than": COUNT_CAP}`. Either way X-Next-Cursor and Link say where the next page starts.
    `ids`, where given, selects the ids of the same rows more cheaply (from indexes alone): what is counted.
    Answers (rows, headers) for flask-smorest.

    A list sorted by something other than the id gives `key_of(row)`, its sort key: then `query_after`
    is called with `(key, id)` of the row the page starts after, and the cursor carries both."""
    size = pagination_parameters.page_size
    if cursor:
        pagination_parameters.keyset = True
        after = read_keyed_cursor(cursor, filters) if key_of is not None else read_cursor(cursor, filters)
        rows = list(db.session.scalars(query_after(after).limit(size + 1)).unique())
        pagination_parameters.item_count = len(rows)  # not shown: a cursor's page has no count
    else:
        query = query_after(None)
        counting = ids if ids is not None else query.order_by(None)
        counted = db.session.execute(
            sa.select(sa.func.count()).select_from(counting.limit(COUNT_CAP + 1).subquery())
        ).scalar_one()
        offset = (pagination_parameters.page - 1) * size
        pagination_parameters.item_count = min(counted, COUNT_CAP)
        pagination_parameters.more_than = counted > COUNT_CAP
        if counted <= COUNT_CAP and offset >= counted:
            return [], {}  # past the last page (also: no offset too large for the database to take)
        if offset >= COUNT_CAP:
            last = -(-COUNT_CAP // size)
            raise InvalidInput(
                f"Pages by number reach the first {COUNT_CAP:,} rows; follow X-Next-Cursor beyond",
                {"page": [f"At most page {last} of pages of {size}; then pass `cursor`."]},
            )
        rows = list(db.session.scalars(query.offset(offset).limit(size + 1)).unique())
    headers = {}
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        following = (
            keyed_cursor_after(key_of(last), last.id, filters) if key_of is not None else cursor_after(last.id, filters)
        )
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "page")]
        headers[NEXT_CURSOR_HEADER] = following
        headers["Link"] = f'<{request.base_url}?{urlencode([*args, ("cursor", following)])}>; rel="next"'
    return rows, headers


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a positive 64-bit integer, or the route does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


class _Parser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:  # 50,000 nested brackets overflow Python's JSON parser
            abort(400, message="The JSON is nested too deeply to read")


class Blueprint(flask_smorest.Blueprint):
    """Our blueprints: pages of 50 by default, at most 500; JSON bodies read without overflowing."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}
    ARGUMENTS_PARSER = _Parser()

    def _set_pagination_metadata(self, page_params, result, headers):
        """X-Pagination as flask-smorest writes it; none on a cursor's page, and past COUNT_CAP rows
        `more_than` in place of a total (see paginate_by_cursor)."""
        if getattr(page_params, "keyset", False):
            return result, headers
        if getattr(page_params, "more_than", False):
            page = page_params.page
            metadata = {"more_than": COUNT_CAP, "first_page": 1, "page": page}
            if page > 1:
                metadata["previous_page"] = page - 1
            if page * page_params.page_size < COUNT_CAP:  # the next page by number is not refused
                metadata["next_page"] = page + 1
            return result, {**(headers or {}), self.PAGINATION_HEADER_NAME: json.dumps(metadata)}
        return super()._set_pagination_metadata(page_params, result, headers)
