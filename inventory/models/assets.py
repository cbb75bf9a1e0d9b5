"""Assets: one physical thing with a tag, and the life cycle it moves through.

The allowed changes of status live in TRANSITIONS, next to the status enum; model methods check them
and refuse anything else with a Conflict that names the asset, its state and why.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import db
from .columns import BigId, enum_type, utcnow
from .reference import Location, Programme


class AssetType(enum.StrEnum):
    TABLET = "tablet"
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    DESK = "desk"
    CHAIR = "chair"
    SIM = "sim"
    ROUTER = "router"
    ACCESSORY = "accessory"


# Devices that hold someone's data: they need a data-wipe certificate before they go (back) into stock.
DATA_BEARING = frozenset({AssetType.TABLET, AssetType.LAPTOP, AssetType.DESKTOP})
# Devices that may carry a mobile modem, and so an IMEI.
HAS_MODEM = frozenset({AssetType.TABLET, AssetType.LAPTOP, AssetType.DESKTOP, AssetType.ROUTER})
# Devices a warehouse can only tell apart by their maker's serial number.
NEEDS_SERIAL = HAS_MODEM


class Condition(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"


class AssetStatus(enum.StrEnum):
    RECEIVED = "received"
    IN_STOCK = "in_stock"
    IN_KIT = "in_kit"
    ON_LOAN = "on_loan"
    OWNED = "owned"
    QUARANTINE = "quarantine"
    REPAIR = "repair"
    RETIRED = "retired"


S = AssetStatus
TRANSITIONS: dict[AssetStatus, frozenset[AssetStatus]] = {
    # A delivered device without a wipe certificate waits in `received` until it has one;
    # anything found faulty on arrival or in stock can be set aside in quarantine.
    S.RECEIVED: frozenset({S.IN_STOCK, S.QUARANTINE, S.RETIRED}),
    S.IN_STOCK: frozenset({S.IN_KIT, S.ON_LOAN, S.QUARANTINE, S.RETIRED}),
    S.IN_KIT: frozenset({S.IN_STOCK, S.ON_LOAN, S.RETIRED}),
    S.ON_LOAN: frozenset({S.OWNED, S.QUARANTINE, S.RETIRED}),
    S.QUARANTINE: frozenset({S.IN_STOCK, S.REPAIR, S.RETIRED}),
    S.REPAIR: frozenset({S.IN_STOCK, S.RETIRED}),
    S.OWNED: frozenset(),
    S.RETIRED: frozenset(),
}
# Only assets that are physically in the organisation's hands have a location to change.
MOVABLE = frozenset({S.IN_STOCK, S.IN_KIT, S.QUARANTINE, S.REPAIR})
# Physically held at one of our locations, so counted as stock there.
HELD = MOVABLE | {S.RECEIVED}
# Stock a partner or advocate could draw on.
AVAILABLE = frozenset({S.IN_STOCK})

# Why an asset in this state refuses most things, said the way a warehouse person would.
_STATE_REASON = {
    S.RECEIVED: "it has not been checked into stock yet",
    S.IN_STOCK: "it is on the shelf",
    S.IN_KIT: "it is part of a kit",
    S.ON_LOAN: "it is on loan to a participant",
    S.OWNED: "it now belongs to the participant it was issued to",
    S.QUARANTINE: "it is waiting to be checked after coming back",
    S.REPAIR: "it is being repaired",
    S.RETIRED: "it has been retired",
}


class RetireReason(enum.StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    WRITTEN_OFF = "written_off"
    RECYCLED = "recycled"


class Asset(db.Model):
    __tablename__ = "assets"
    __table_args__ = (
        # Makers number their own products; two makers may use the same serial.
        sa.UniqueConstraint("make", "serial"),
        # Stock counts group by these.
        sa.Index("ix_assets_location_type_status", "location_id", "type", "status"),
        sa.CheckConstraint("data_allowance_gb >= 0", name="data_allowance_gb"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(12), unique=True)
    type: Mapped[AssetType] = mapped_column(enum_type(AssetType, "asset_type"))
    make: Mapped[str] = mapped_column(sa.String(80))
    model: Mapped[str] = mapped_column(sa.String(120))
    serial: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    imei: Mapped[str | None] = mapped_column(sa.String(15), unique=True)
    iccid: Mapped[str | None] = mapped_column(sa.String(22), unique=True)
    msisdn: Mapped[str | None] = mapped_column(sa.String(16))
    network: Mapped[str | None] = mapped_column(sa.String(40))
    data_allowance_gb: Mapped[int | None]
    condition: Mapped[Condition | None] = mapped_column(enum_type(Condition, "condition"))
    wipe_certificate: Mapped[str | None] = mapped_column(sa.String(64))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    status: Mapped[AssetStatus] = mapped_column(enum_type(AssetStatus, "asset_status"), index=True)
    kit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kits.id"), index=True)
    # The delivery it arrived in, so a batch's labels can be printed together.
    batch: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # When its label was last printed; never printed is how a batch of new stock is found.
    label_printed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    programme: Mapped[Programme | None] = relationship(lazy="joined", innerjoin=False)
    location: Mapped[Location | None] = relationship(lazy="joined", innerjoin=False)
    kit: Mapped["Kit | None"] = relationship(back_populates="items")  # noqa: F821

    # --- predicates and state changes -----------------------------------------------------------

    def describe(self) -> str:
        return f"{self.tag} ({self.type.value})"

    def refusal(self, verb: str, reason: str | None = None) -> Conflict:
        return Conflict(
            f"{self.describe()} is {self.status.value}, so it cannot be {verb}: "
            f"{reason or _STATE_REASON[self.status]}"
        )

    def can_become(self, status: AssetStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def become(self, status: AssetStatus, verb: str) -> None:
        if not self.can_become(status):
            raise self.refusal(verb)
        self.status = status

    def can_move(self) -> bool:
        return self.status in MOVABLE

    def move_to(self, location: Location, *, with_kit: bool = False) -> None:
        if not self.can_move():
            raise self.refusal("moved")
        if self.kit_id is not None and not with_kit:
            raise Conflict(
                f"{self.describe()} is in kit {self.kit.tag}, so it cannot be moved on its own: "
                "move the kit, or take the kit apart first"
            )
        self.location = location

    @property
    def needs_wipe_certificate(self) -> bool:
        return self.type in DATA_BEARING
