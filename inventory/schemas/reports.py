"""What the reports API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..models import Area, AssetType
from ..services.reports import COUNTS
from .fields import Choice, IsoDate, Text


class OutcomeArgs(Schema):
    programme = Text(20)
    area = Choice(Area)
    # "from" is a Python keyword: the query names are from/to, the attributes date_from/date_to.
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    format = Choice(["json", "csv"], load_default="json")


# One integer per asset type, named by the type (tablet, laptop, ...).
AssetsByTypeSchema = Schema.from_dict({t.value: fields.Int() for t in AssetType}, name="AssetsByTypeSchema")


class OutcomeRowSchema(Schema.from_dict({name: fields.Int() for name in COUNTS if name != "assets_issued"})):  # type: ignore[misc]
    """One area's counts (or "all" for the totals)."""

    area = fields.Str()
    assets_issued = fields.Nested(AssetsByTypeSchema)


class OutcomeReportSchema(Schema):
    """Dumped from services.reports.outcomes(); the CSV (format=csv) has the same rows."""

    programme = fields.Str(allow_none=True)
    area = fields.Str(allow_none=True)
    from_ = IsoDate(data_key="from", attribute="from")
    to = IsoDate()
    rows = fields.List(fields.Nested(OutcomeRowSchema))
    totals = fields.Nested(OutcomeRowSchema)
