"""What someone had typed into a form when their session ran out, kept briefly on the server for that same
person to get back after signing in again (see web/kept_forms.py for why on the server)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .columns import BigId, utcnow


class KeptForm(Model):
    __tablename__ = "kept_forms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # A random key, held only in the signed-out browser's cookie: the form comes back to that browser.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # ... and only to the same person signing in again there.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(sa.String(500))  # the page the form was on
    action: Mapped[str] = mapped_column(sa.String(500))  # where the form posts
    fields: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
