"""What the stocktakes API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import MissingChoice, StocktakeStatus, UnexpectedChoice, as_utc
from ..services.stocktakes import MAX_CODES
from .fields import Choice, Text


def _stamp(value) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


class StocktakeOpenArgs(Schema):
    location = Text(20, required=True, metadata={"description": "the code of the location to count"})


class StocktakeListArgs(Schema):
    location = Text(20)
    status = Choice(StocktakeStatus)


class StocktakeScanArgs(Schema):
    codes = fields.List(
        Text(300),
        required=True,
        validate=validate.Length(min=1, max=MAX_CODES),
        metadata={"description": "tags, label URLs, serial numbers, IMEIs or ICCIDs, as scanned; repeats are harmless"},
    )


class StocktakeCloseArgs(Schema):
    missing = Choice(
        MissingChoice,
        required=True,
        metadata={"description": "mark_missing: items expected and not found become missing; leave: as they are"},
    )
    unexpected = Choice(
        UnexpectedChoice,
        required=True,
        metadata={"description": "move_here: items found here but recorded elsewhere are recorded here"},
    )


class CountsSchema(Schema):
    expected = fields.Int()
    found = fields.Int()
    missing = fields.Int()
    unexpected = fields.Int()


class UnexpectedItemSchema(Schema):
    tag = fields.Str()
    type = fields.Str()
    status = fields.Str(
        allow_none=True, metadata={"description": "as recorded when scanned; null for a partner, if not theirs"}
    )
    location = fields.Str(allow_none=True, metadata={"description": "where it was recorded; null as status"})
    outcome = fields.Str(allow_none=True)
    outcome_note = fields.Str(allow_none=True)


class SettledSchema(Schema):
    tag = fields.Str()
    type = fields.Str()
    outcome = fields.Str(metadata={"description": "marked_missing, moved_here, found or left"})
    note = fields.Str(allow_none=True, metadata={"description": "why it was left, or how it moved"})


class StocktakeSummarySchema(Schema):
    id = fields.Int()
    location = fields.Function(lambda s: s.location.code, metadata={"type": "string"})
    status = fields.Str()
    opened_at = fields.Function(lambda s: _stamp(s.opened_at), metadata={"type": "string", "format": "date-time"})
    closed_at = fields.Function(
        lambda s: _stamp(s.closed_at), allow_none=True, metadata={"type": "string", "format": "date-time"}
    )
    missing_choice = fields.Str(allow_none=True)
    unexpected_choice = fields.Str(allow_none=True)


class StocktakeSchema(Schema):
    """A stocktake as the services' StocktakeView holds it: the frozen list and what the scans found."""

    id = fields.Int()
    location = fields.Function(lambda v: v.stocktake.location.code, metadata={"type": "string"})
    status = fields.Function(lambda v: v.stocktake.status.value, metadata={"type": "string"})
    opened_at = fields.Function(
        lambda v: _stamp(v.stocktake.opened_at), metadata={"type": "string", "format": "date-time"}
    )
    closed_at = fields.Function(
        lambda v: _stamp(v.stocktake.closed_at), allow_none=True, metadata={"type": "string", "format": "date-time"}
    )
    expected = fields.List(fields.Str(), metadata={"description": "tags held here when the count opened"})
    found = fields.List(fields.Str(), metadata={"description": "expected tags scanned"})
    missing = fields.List(fields.Str(), metadata={"description": "expected tags not (yet) scanned"})
    unexpected = fields.List(
        fields.Str(), metadata={"description": "tags scanned here, recorded elsewhere or in another state"}
    )
    unexpected_items = fields.List(fields.Nested(UnexpectedItemSchema))
    counts = fields.Nested(CountsSchema)
    outcomes = fields.List(fields.Nested(SettledSchema), metadata={"description": "what closing did, line by line"})


class ScanOutcomeSchema(Schema):
    code = fields.Str()
    tag = fields.Str()
    type = fields.Str()
    outcome = fields.Str(metadata={"description": "found, unexpected or repeat"})
    message = fields.Str()


class ScanAnswerSchema(Schema):
    results = fields.List(fields.Nested(ScanOutcomeSchema))
    counts = fields.Nested(CountsSchema)
