"""Reports from whoever finds a lost item (the public page a label opens), for the warehouse to act on."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .columns import BigId, utcnow
from .users import User


class FoundReport(Model):
    __tablename__ = "found_reports"
    # The rate limit counts one address's reports of the last hour.
    __table_args__ = (sa.Index("ix_found_reports_address_at", "address_hash", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # The asset's or kit's tag (a kit's label opens the same page).
    tag: Mapped[str] = mapped_column(sa.String(12), index=True)
    where_found: Mapped[str] = mapped_column(sa.String(300))
    # How to reach the finder, if they chose to say: a member of the public's details, shown to the
    # warehouse and admins only, never written to the asset's ledger or the logs.
    finder_contact: Mapped[str | None] = mapped_column(sa.String(200))
    # A keyed hash of the sender's address: enough to count their reports, not to say who they are.
    address_hash: Mapped[str] = mapped_column(sa.String(64))
    dealt_with_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    dealt_with_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    dealt_with_by: Mapped[User | None] = relationship(lazy="joined")
