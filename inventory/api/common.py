"""Pieces every API blueprint uses: bounded string fields, pagination over a select, tag paths."""

from __future__ import annotations

import flask_smorest
import sqlalchemy as sa
from flask_smorest import abort
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

from ..extensions import db
from ..schemas.fields import MAX_ID


def paginate(query: sa.Select, pagination_parameters):
    """Run one page of a select and tell flask-smorest how many rows there are in all."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total
    page, size = pagination_parameters.page, pagination_parameters.page_size
    if (page - 1) * size >= total:
        return []  # past the last page (also: no offset too large for the database to take)
    return list(db.session.scalars(query.offset((page - 1) * size).limit(size)).unique())


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
