"""Pieces every API blueprint uses: bounded string fields, pagination over a select, tag paths."""

from __future__ import annotations

import re

import flask_smorest
import sqlalchemy as sa
from flask import g
from flask_smorest import abort
from marshmallow import Schema, ValidationError, fields, post_dump, validate
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

from ..extensions import db
from ..models import Role


def Text(max_length: int, *, required: bool = False, **kwargs) -> fields.String:  # noqa: N802 - reads like a field
    """A string with an upper bound (every input string has one), stripped of stray spaces."""
    extra = kwargs.pop("validate", [])
    checks = [validate.Length(max=max_length)] + (extra if isinstance(extra, list) else [extra])
    return StrippedString(required=required, validate=checks, **kwargs)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StrippedString(fields.String):
    """Text as people type it: stray spaces dropped; control characters refused (PostgreSQL
    cannot store NUL, and none of them belongs in a name, code or note)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(text):
            raise ValidationError("Must not contain control characters.")
        return text.strip()


class ChoiceString(StrippedString):
    """One of a fixed set of values, matched without regard to case (as manifests are), stored canonically."""

    def __init__(self, values, **kwargs):
        self.choices = [str(v) for v in values]
        self._canonical = {c.casefold(): c for c in self.choices}
        super().__init__(validate=validate.OneOf(self.choices), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return self._canonical.get(text.casefold(), text)


def Choice(values, *, required: bool = False, **kwargs) -> fields.String:  # noqa: N802
    return ChoiceString(values, required=required, **kwargs)


def code_of(obj) -> str | None:
    return obj.code if obj is not None else None


class MessageSchema(Schema):
    message = fields.Str()


def paginate(query: sa.Select, pagination_parameters):
    """Run one page of a select and tell flask-smorest how many rows there are in all."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total
    page, size = pagination_parameters.page, pagination_parameters.page_size
    if (page - 1) * size >= total:
        return []  # past the last page (also: no offset too large for the database to take)
    return list(db.session.scalars(query.offset((page - 1) * size).limit(size)).unique())


# Ids are 64-bit in the database; a larger number can name nothing, and must not reach the driver.
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a positive 64-bit integer, or the route does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


def Id(*, strict: bool = True, **kwargs) -> fields.Integer:  # noqa: N802 - reads like a field
    """A positive 64-bit id. Strict (a JSON number) in bodies; pass strict=False in query strings."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


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


class PartnerNarrowing:
    """Partners see stock fields only (DESIGN.md, roles): the dump drops everything else for them."""

    PARTNER_FIELDS: frozenset[str] = frozenset()

    @post_dump
    def _narrow_for_partners(self, data, **kwargs):
        user = g.get("user")
        if user is not None and user.role == Role.PARTNER:
            return {k: v for k, v in data.items() if k in self.PARTNER_FIELDS}
        return data
