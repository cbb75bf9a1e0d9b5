"""Hub logistics: stock requests from partner hubs, and the consignments that carry stock to them."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import Model
from .assets import Asset, AssetType
from .columns import BigId, enum_type, utcnow
from .kits import Kit, KitTemplate
from .reference import Location


class RequestStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    SENT = "sent"  # a consignment for it has left
    RECEIVED = "received"  # that consignment has arrived


class RequestAction(enum.StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    SEND = "send"
    RECEIVE = "receive"


R = RequestStatus
# What may happen to a request now (source statuses -> status after), asked by the API, the pages and
# the consignment services through StockRequest.check().
REQUEST_RULES: dict[RequestAction, tuple[frozenset[RequestStatus], RequestStatus, str]] = {
    RequestAction.APPROVE: (frozenset({R.REQUESTED}), R.APPROVED, "approved"),
    RequestAction.DECLINE: (frozenset({R.REQUESTED}), R.DECLINED, "declined"),
    RequestAction.SEND: (frozenset({R.APPROVED, R.SENT}), R.SENT, "sent"),
    RequestAction.RECEIVE: (frozenset({R.SENT, R.RECEIVED}), R.RECEIVED, "received"),
}
_REQUEST_REASON = {
    R.REQUESTED: "an admin has not answered it yet",
    R.APPROVED: "it has been approved",
    R.DECLINED: "it was declined",
    R.SENT: "its stock is on its way",
    R.RECEIVED: "its stock has arrived",
}


class StockRequest(Model):
    __tablename__ = "stock_requests"
    __table_args__ = (sa.Index("ix_stock_requests_location_id_status", "location_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    status: Mapped[RequestStatus] = mapped_column(enum_type(RequestStatus, "request_status"), index=True)
    needed_by: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.String(500))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    location: Mapped[Location] = relationship(lazy="joined")
    lines: Mapped[list[StockRequestLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StockRequestLine.id"
    )

    def describe(self) -> str:
        return f"stock request {self.id}"

    def check(self, action: RequestAction) -> None:
        sources, _, verb = REQUEST_RULES[action]
        if self.status not in sources:
            raise Conflict(
                f"{self.describe()} is {self.status.value}, so it cannot be {verb}: {_REQUEST_REASON[self.status]}"
            )

    def apply(self, action: RequestAction) -> None:
        self.check(action)
        self.status = REQUEST_RULES[action][1]


class StockRequestLine(Model):
    """One line of a request: a count of ready kits of a template, or of loose items of a type."""

    __tablename__ = "stock_request_lines"
    __table_args__ = (
        sa.CheckConstraint("(template_id IS NULL) <> (type IS NULL)", name="template_or_type"),
        sa.CheckConstraint("count BETWEEN 1 AND 1000", name="count"),
        sa.CheckConstraint("approved IS NULL OR approved BETWEEN 0 AND count", name="approved"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_requests.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kit_templates.id"))
    type: Mapped[AssetType | None] = mapped_column(enum_type(AssetType, "asset_type"))
    count: Mapped[int]
    approved: Mapped[int | None]

    template: Mapped[KitTemplate | None] = relationship(lazy="joined")

    @property
    def wanted(self) -> str:
        """What the line asks for, as a person reads it: a template's code, or a type."""
        if self.template is not None:
            return self.template.code
        assert self.type is not None  # the CHECK: a template or a type
        return self.type.value


class ConsignmentStatus(enum.StrEnum):
    PACKING = "packing"
    IN_TRANSIT = "in_transit"
    PART_RECEIVED = "part_received"
    RECEIVED = "received"
    CLOSED = "closed"  # closed with something short: what never came is missing


class ConsignmentAction(enum.StrEnum):
    PACK = "pack"  # add or take out items
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    CLOSE = "close"


C = ConsignmentStatus
CONSIGNMENT_RULES: dict[ConsignmentAction, tuple[frozenset[ConsignmentStatus], str]] = {
    ConsignmentAction.PACK: (frozenset({C.PACKING}), "packed"),
    ConsignmentAction.DISPATCH: (frozenset({C.PACKING}), "dispatched"),
    ConsignmentAction.RECEIVE: (frozenset({C.IN_TRANSIT, C.PART_RECEIVED}), "received"),
    ConsignmentAction.CLOSE: (frozenset({C.PART_RECEIVED, C.IN_TRANSIT}), "closed"),
}
_CONSIGNMENT_REASON = {
    C.PACKING: "it has not been dispatched yet",
    C.IN_TRANSIT: "it is on its way",
    C.PART_RECEIVED: "it has been dispatched and partly received",
    C.RECEIVED: "everything on it has been received",
    C.CLOSED: "it has been closed",
}


class Consignment(Model):
    """A box (or van load) from one location to another; its tag is from the assets' series."""

    __tablename__ = "consignments"
    __table_args__ = (sa.Index("ix_consignments_to_location_id_status", "to_location_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(12), unique=True)
    status: Mapped[ConsignmentStatus] = mapped_column(enum_type(ConsignmentStatus, "consignment_status"), index=True)
    from_location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_requests.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    received_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    label_printed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id], lazy="joined")
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id], lazy="joined")
    request: Mapped[StockRequest | None] = relationship()
    items: Mapped[list[ConsignmentItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ConsignmentItem.id"
    )

    def describe(self) -> str:
        return f"consignment {self.tag}"

    def can(self, action: ConsignmentAction) -> bool:
        return self.status in CONSIGNMENT_RULES[action][0]

    def check(self, action: ConsignmentAction) -> None:
        sources, verb = CONSIGNMENT_RULES[action]
        if self.status not in sources:
            raise Conflict(
                f"{self.describe()} is {self.status.value}, so it cannot be {verb}: {_CONSIGNMENT_REASON[self.status]}"
            )


class ItemOutcome(enum.StrEnum):
    RECEIVED = "received"
    DAMAGED = "damaged"  # received into quarantine
    MISSING = "missing"  # never came: marked missing when the consignment closed


class ConsignmentItem(Model):
    """One asset on a consignment; `kit` when it was packed as part of a kit (which travels whole)."""

    __tablename__ = "consignment_items"
    __table_args__ = (sa.UniqueConstraint("consignment_id", "asset_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(sa.ForeignKey("consignments.id"))
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    kit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kits.id"), index=True)
    outcome: Mapped[ItemOutcome | None] = mapped_column(enum_type(ItemOutcome, "item_outcome"))
    received_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    asset: Mapped[Asset] = relationship(lazy="joined")
    kit: Mapped[Kit | None] = relationship(lazy="joined")

    @property
    def arrived(self) -> bool:
        return self.outcome in (ItemOutcome.RECEIVED, ItemOutcome.DAMAGED)
