"""What the health API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields


class HealthSchema(Schema):
    status = fields.Str()
    database = fields.Str()
