"""What the labels API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..services import labels
from .fields import Choice, Text


class SheetArgs(Schema):
    tags = fields.List(
        Text(40),
        validate=validate.Length(min=1, max=labels.MAX_LABELS),
        metadata={"description": "asset or kit tags, in the order to print"},
    )
    batch = Text(32, metadata={"description": "an import batch (POST /assets/import answers with it)"})
    location = Text(20, metadata={"description": "every asset at this location..."})
    unprinted = fields.Bool(
        load_default=False, metadata={"description": "of a batch or location: only what has never had a label"}
    )
    template = Choice(list(labels.TEMPLATE_CODES), load_default=labels.DEFAULT_TEMPLATE)
    start_position = fields.Int(
        load_default=1,
        strict=True,
        validate=validate.Range(min=1),
        metadata={"description": "the first free label on a partly used sheet, from 1, left to right then down"},
    )
    format = Choice(["pdf", "zpl"], load_default="pdf")

    @validates_schema
    def _one_selection(self, data, **kwargs):
        chosen = [name for name in ("tags", "batch", "location") if data.get(name)]
        if len(chosen) != 1:
            raise ValidationError("Give exactly one of tags, batch or location.", "tags")


class OneLabelArgs(Schema):
    printer = Choice(
        labels.ROLL_CODES,
        load_default=None,
        metadata={"description": "for .pdf: the roll to size it for (default dymo-99012)"},
    )
