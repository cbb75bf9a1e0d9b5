"""Idempotency keys: a retried request with the same key gets the first answer, and nothing twice."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .columns import BigId, utcnow


class IdempotencyKey(Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "scope", "key"),
        sa.Index("ix_idempotency_keys_created_at", "created_at"),  # the nightly purge of old keys
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    scope: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(100))
    # A hash of the request body, so the same key with a different body is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    response: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
