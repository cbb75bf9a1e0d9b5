"""Output pieces shared by several resources: messages, codes of related rows, the partners' narrowed view."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, post_dump

from ..models import Role


def code_of(obj) -> str | None:
    return obj.code if obj is not None else None


class MessageSchema(Schema):
    message = fields.Str()


class PartnerNarrowing:
    """Partners see stock fields only (DESIGN.md, roles): the dump drops everything else for them."""

    PARTNER_FIELDS: frozenset[str] = frozenset()

    @post_dump
    def _narrow_for_partners(self, data, **kwargs):
        user = g.get("user")
        if user is not None and user.role == Role.PARTNER:
            return {k: v for k, v in data.items() if k in self.PARTNER_FIELDS}
        return data


def Derived(  # noqa: N802 - reads like a field
    serialize,
    *,
    type: str = "string",
    nullable: bool = False,
    format: str | None = None,
    items: str | None = None,
    description: str | None = None,
) -> fields.Function:
    """A value worked out from the row (a related row's code, a timestamp in UTC), with the type the
    OpenAPI document gives it: a bare Function field would be documented as "anything"."""
    meta: dict = {"type": type}
    if format:
        meta["format"] = format
    if description:
        meta["description"] = description
    if items:
        meta["items"] = {"type": items}
    return fields.Function(serialize, allow_none=nullable, dump_only=True, metadata=meta)
