"""What the health API answers: counts, timestamps and job names only (it needs no token)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class JobRunSchema(Schema):
    last_run = fields.AwareDateTime(required=True, allow_none=True, metadata={"description": "When it last finished"})
    last_result = fields.Str(
        required=True, allow_none=True, metadata={"description": 'Its counts ("sent 3, failed 0") or "failed: <error>"'}
    )


class SchedulerHealthSchema(Schema):
    last_seen = fields.AwareDateTime(
        required=True, allow_none=True, metadata={"description": "The scheduler's last heartbeat; null if never"}
    )
    jobs = fields.Dict(keys=fields.Str(), values=fields.Nested(JobRunSchema), required=True)


class OutboxHealthSchema(Schema):
    queued = fields.Int(required=True, metadata={"description": "Messages not yet sent (queued, retrying or sending)"})
    oldest_queued_minutes = fields.Int(
        required=True, allow_none=True, metadata={"description": "How long the oldest of them has waited; null if none"}
    )
    failed_24h = fields.Int(
        required=True, metadata={"description": "Messages that failed for good in the last 24 hours"}
    )


class HealthSchema(Schema):
    status = fields.Str(required=True, validate=validate.OneOf(["ok", "degraded", "unavailable"]))
    database = fields.Str(required=True, validate=validate.OneOf(["ok", "unreachable"]))
    scheduler = fields.Nested(SchedulerHealthSchema, required=True, allow_none=True)
    outbox = fields.Nested(OutboxHealthSchema, required=True, allow_none=True)
    problems = fields.List(fields.Str(), required=True, metadata={"description": "Why the status is not ok"})
