"""Kits (specific assets prepared together) and the templates a programme builds them against."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import Model
from .assets import Asset, AssetType
from .columns import BigId, enum_type, utcnow
from .reference import Location, Programme


class KitStatus(enum.StrEnum):
    ASSEMBLED = "assembled"
    ON_LOAN = "on_loan"
    IN_TRANSIT = "in_transit"  # packed in a consignment with its items, not yet received
    OWNED = "owned"  # its items became the participant's own
    # Taken apart: the row stays so the tag is never reused and the history keeps its meaning.
    DISMANTLED = "dismantled"


class KitAction(enum.StrEnum):
    MOVE = "move"
    DISMANTLE = "dismantle"
    ISSUE = "issue"
    TRANSFER = "transfer"  # every item became the participant's own
    EMPTIED = "emptied"  # its last item came back or went missing: nothing of it is left together
    DISPATCH = "dispatch"  # it leaves in a consignment, its items with it
    RECEIVE = "receive"  # its consignment arrived: ready at the destination


K = KitStatus
# What may be done to a kit now (source statuses -> status after), asked by every door through
# Kit.can() and Kit.apply(). A scan offers the first three.
KIT_RULES: dict[KitAction, tuple[frozenset[KitStatus], KitStatus | None, str]] = {
    KitAction.MOVE: (frozenset({K.ASSEMBLED}), None, "moved"),
    KitAction.DISMANTLE: (frozenset({K.ASSEMBLED}), K.DISMANTLED, "taken apart"),
    KitAction.ISSUE: (frozenset({K.ASSEMBLED}), K.ON_LOAN, "issued"),
    KitAction.TRANSFER: (frozenset({K.ON_LOAN}), K.OWNED, "given to its participant"),
    KitAction.EMPTIED: (frozenset({K.ON_LOAN, K.ASSEMBLED, K.IN_TRANSIT}), K.DISMANTLED, "emptied"),
    KitAction.DISPATCH: (frozenset({K.ASSEMBLED}), K.IN_TRANSIT, "dispatched"),
    KitAction.RECEIVE: (frozenset({K.IN_TRANSIT}), K.ASSEMBLED, "received"),
}
KIT_ACTIONS = (KitAction.MOVE, KitAction.DISMANTLE, KitAction.ISSUE)
KIT_TRANSITIONS: dict[KitStatus, frozenset[KitStatus]] = {
    status: frozenset(target for sources, target, _ in KIT_RULES.values() if status in sources and target)
    for status in KitStatus
}
_KIT_REASON = {
    K.ASSEMBLED: "it is ready to issue",
    K.ON_LOAN: "it is on loan to a participant",
    K.IN_TRANSIT: "it is on its way in a consignment",
    K.OWNED: "its items belong to the participant it was issued to",
    K.DISMANTLED: "it has been taken apart",
}


class KitTemplate(Model):
    __tablename__ = "kit_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    # A retired template builds no new kit; kits already built against it keep their items and its name.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    programme: Mapped[Programme] = relationship(lazy="joined")
    lines: Mapped[list[KitTemplateLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="KitTemplateLine.id"
    )

    def contents(self) -> dict[AssetType, int]:
        return {line.type: line.count for line in self.lines}

    def check_builds(self) -> None:
        """Only an active template (of an active programme) builds new kits or is asked for."""
        if not self.active:
            raise Conflict(
                f"Kit template {self.code} is retired, so no new kit is built against it: "
                "an administrator can bring it back on the admin page"
            )
        self.programme.check_takes_new("new kits")


class KitTemplateLine(Model):
    __tablename__ = "kit_template_lines"
    __table_args__ = (
        sa.UniqueConstraint("template_id", "type"),
        sa.CheckConstraint("count BETWEEN 1 AND 20", name="count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("kit_templates.id"))
    type: Mapped[AssetType] = mapped_column(enum_type(AssetType, "asset_type"))
    count: Mapped[int]


class Kit(Model):
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

    def can(self, action: KitAction) -> bool:
        return self.status in KIT_RULES[action][0]

    def check(self, action: KitAction) -> None:
        """Refuse (409, naming the kit, its state and why) unless the action is allowed now."""
        sources, _, verb = KIT_RULES[action]
        if self.status not in sources:
            raise Conflict(
                f"{self.describe()} is {self.status.value}, so it cannot be {verb}: {_KIT_REASON[self.status]}"
            )

    def apply(self, action: KitAction) -> None:
        self.check(action)
        target = KIT_RULES[action][1]
        if target is not None:
            self.status = target
