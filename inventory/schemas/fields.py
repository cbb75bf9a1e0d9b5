"""Input fields every schema uses: bounded, stripped strings; choices; 64-bit ids; ISO dates out."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate


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


# Ids are 64-bit in the database; a larger number can name nothing, and must not reach the driver.
MAX_ID = 2**63 - 1


def Id(*, strict: bool = True, **kwargs) -> fields.Integer:  # noqa: N802 - reads like a field
    """A positive 64-bit id. Strict (a JSON number) in bodies; pass strict=False in query strings."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


def IsoDate(**kwargs) -> fields.String:  # noqa: N802 - reads like a field
    """A date the service has already written as ISO 8601 (YYYY-MM-DD): typed as a date in the OpenAPI document."""
    return fields.String(metadata={"format": "date", **kwargs.pop("metadata", {})}, **kwargs)


def IsoDateTime(**kwargs) -> fields.String:  # noqa: N802
    """A timestamp already written as ISO 8601 with its offset."""
    return fields.String(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def cursor_field() -> fields.String:
    """`cursor`: where a page of a long list starts (paginate_by_cursor in api/common.py)."""
    return Text(
        200,
        metadata={
            "description": "where the page starts: the X-Next-Cursor of the previous page (with the same filters); "
            "`page` then does not apply"
        },
    )


class FlatRows(fields.List):
    """A long list of flat rows of plain values (str, int, None), as a service built them: each dumped by
    taking the nested schema's fields from it, without marshmallow's per-field work (2,000 stock rows took
    20 ms that way). The OpenAPI document is the nested schema's, as for any list of them."""

    def __init__(self, schema, **kwargs):
        super().__init__(fields.Nested(schema), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        schema = self.inner.schema  # type: ignore[attr-defined]
        keys = [(field.data_key or name, field.attribute or name) for name, field in schema.dump_fields.items()]
        return [{key: row.get(name) for key, name in keys} for row in value]
