"""Kits (specific assets prepared together) and the templates a programme builds them against."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import db
from .assets import Asset, AssetType
from .columns import BigId, enum_type, utcnow
from .reference import Location, Programme


class KitStatus(enum.StrEnum):
    ASSEMBLED = "assembled"
    ON_LOAN = "on_loan"
    OWNED = "owned"  # its items became the participant's own
    # Taken apart: the row stays so the tag is never reused and the history keeps its meaning.
    DISMANTLED = "dismantled"


class KitTemplate(db.Model):
    __tablename__ = "kit_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"), index=True)

    programme: Mapped[Programme] = relationship(lazy="joined")
    lines: Mapped[list[KitTemplateLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="KitTemplateLine.id"
    )

    def contents(self) -> dict[AssetType, int]:
        return {line.type: line.count for line in self.lines}


class KitTemplateLine(db.Model):
    __tablename__ = "kit_template_lines"
    __table_args__ = (
        sa.UniqueConstraint("template_id", "type"),
        sa.CheckConstraint("count BETWEEN 1 AND 20", name="count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("kit_templates.id"))
    type: Mapped[AssetType] = mapped_column(enum_type(AssetType, "asset_type"))
    count: Mapped[int]


class Kit(db.Model):
    __tablename__ = "kits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(12), unique=True)
    status: Mapped[KitStatus] = mapped_column(enum_type(KitStatus, "kit_status"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"))
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kit_templates.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    dismantled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    label_printed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    location: Mapped[Location | None] = relationship(lazy="joined")
    programme: Mapped[Programme | None] = relationship(lazy="joined")
    template: Mapped[KitTemplate | None] = relationship()
    items: Mapped[list[Asset]] = relationship(back_populates="kit", order_by="Asset.id")

    def describe(self) -> str:
        return f"kit {self.tag}"

    def _refuse(self, verb: str) -> Conflict:
        reasons = {
            KitStatus.ON_LOAN: "it is on loan to a participant",
            KitStatus.DISMANTLED: "it has been taken apart",
        }
        return Conflict(f"{self.describe()} is {self.status.value}, so it cannot be {verb}: "
                        f"{reasons.get(self.status, 'not allowed')}")

    def ensure_assembled(self, verb: str) -> None:
        if self.status != KitStatus.ASSEMBLED:
            raise self._refuse(verb)
