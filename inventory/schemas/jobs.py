"""What the jobs API answers: a background job's state and progress (never the arguments it was given)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from ..models import JobStatus
from ..services.background_jobs import percent


class JobSchema(Schema):
    id = fields.Int(required=True)
    kind = fields.Str(required=True, metadata={"description": "label_sheet or asset_export"})
    status = fields.Enum(
        JobStatus, by_value=True, required=True, metadata={"type": "string", "enum": [s.value for s in JobStatus]}
    )
    done = fields.Int(required=True, metadata={"description": "units finished: labels drawn, rows written"})
    total = fields.Int(required=True, metadata={"description": "of how many (0 while not yet known)"})
    percent = fields.Function(percent, required=True, metadata={"type": "integer"})
    message = fields.Str(allow_none=True, required=True, metadata={"description": "why it failed"})
    created_at = fields.AwareDateTime(required=True)
    started_at = fields.AwareDateTime(allow_none=True, required=True)
    finished_at = fields.AwareDateTime(allow_none=True, required=True)
    download = fields.Function(
        lambda job: url_for("jobs.download", job_id=job.id) if job.status == JobStatus.DONE else None,
        allow_none=True,
        required=True,
        metadata={"type": "string", "description": "where to fetch the file, once done"},
    )
