"""Assets: one physical thing with a tag, and the life cycle it moves through.

The allowed changes of status live in TRANSITIONS, next to the status enum; model methods check them
and refuse anything else with a Conflict that names the asset, its state and why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import Model
from .columns import BigId, enum_type, utcnow
from .reference import Location, Programme

if TYPE_CHECKING:
    from .kits import Kit


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
    IN_TRANSIT = "in_transit"  # dispatched in a consignment, not yet received at its destination
    MISSING = "missing"  # expected at a place and not found there


S = AssetStatus


class AssetAction(enum.StrEnum):
    """Everything that can happen to an asset after it is received. The first eight are what people
    do to the asset itself (a scan offers them); the rest happen through its kit or its loan."""

    MOVE = "move"
    BUILD_KIT = "build_kit"
    QUARANTINE = "quarantine"
    RESTOCK = "restock"
    REPAIR = "repair"
    RETIRE = "retire"
    ISSUE = "issue"
    RETURN = "return"
    ISSUE_WITH_KIT = "issue_with_kit"  # its kit is issued
    UNKIT = "unkit"  # its kit is taken apart
    TRANSFER = "transfer"  # it becomes the participant's own
    DISPATCH = "dispatch"  # it leaves in a consignment
    DISPATCH_WITH_KIT = "dispatch_with_kit"  # its kit leaves in a consignment
    RECEIVE = "receive"  # its consignment arrives: on the shelf at the destination
    RECEIVE_WITH_KIT = "receive_with_kit"  # back in its kit at the destination
    RECEIVE_DAMAGED = "receive_damaged"  # arrived damaged: quarantine at the destination
    MARK_MISSING = "mark_missing"  # not found where it should be (a stocktake, a consignment short)
    FOUND = "found"  # a missing item turns up (scanned in a stocktake, or moved)
    SWAP_OUT = "swap_out"  # a faulty item leaves its loan for quarantine (services.loan_changes.swap)
    SWAP_IN = "swap_in"  # its replacement from stock goes on the same loan
    REPORT_LOST = "report_lost"  # lost or stolen while on loan: retired, its loan item closed


@dataclass(frozen=True)
class Rule:
    """When an action is allowed: the statuses it starts from, where it leads, and whether an asset in
    a kit may take it on its own (if not, `in_kit` says what to do instead)."""

    verb: str  # "cannot be <verb>"
    sources: frozenset[AssetStatus]
    target: AssetStatus | None = None  # None: the status stays (a move)
    in_kit: str | None = None  # why an item in a kit cannot; None when it can
    why: dict[AssetStatus, str] = field(default_factory=dict)  # a better reason than the state's own


A = AssetAction
_TAKE_BACK = "take it back from its loan first (a return), or report it lost"
_IN_A_KIT = "move the kit, or take the kit apart first"
_ON_ITS_WAY = "it is on its way in a consignment: receive it at its destination first"
# What may be done to an asset now: the one table every door (API, pages, scans, CLI, jobs) asks,
# through Asset.can() and Asset.check(). Quarantining or retiring an item that is on loan is refused:
# the loan would stay open and a SIM's free data live; coming back is a return, and going missing
# is the loan's business.
RULES: dict[AssetAction, Rule] = {
    A.MOVE: Rule(
        "moved",
        frozenset({S.IN_STOCK, S.IN_KIT, S.QUARANTINE, S.REPAIR}),
        in_kit=_IN_A_KIT,
        why={S.ON_LOAN: "it is with a participant: take it back first", S.IN_TRANSIT: _ON_ITS_WAY},
    ),
    A.BUILD_KIT: Rule(
        "put in a kit",
        frozenset({S.IN_STOCK}),
        S.IN_KIT,
        in_kit="it is already in a kit",
        why={S.RECEIVED: "only items in stock can go into a kit"},
    ),
    A.QUARANTINE: Rule(
        "put in quarantine",
        frozenset({S.RECEIVED, S.IN_STOCK}),
        S.QUARANTINE,
        in_kit="take the kit apart first",
        why={S.ON_LOAN: _TAKE_BACK},
    ),
    A.RESTOCK: Rule("restocked", frozenset({S.RECEIVED, S.QUARANTINE, S.REPAIR}), S.IN_STOCK),
    A.REPAIR: Rule(
        "sent for repair",
        frozenset({S.QUARANTINE}),
        S.REPAIR,
        why={S.IN_STOCK: "put it in quarantine first", S.ON_LOAN: _TAKE_BACK},
    ),
    A.RETIRE: Rule(
        "retired",
        frozenset({S.RECEIVED, S.IN_STOCK, S.IN_KIT, S.QUARANTINE, S.REPAIR, S.MISSING}),
        S.RETIRED,
        why={S.ON_LOAN: _TAKE_BACK, S.IN_TRANSIT: _ON_ITS_WAY + ", or close the consignment short"},
    ),
    A.ISSUE: Rule("issued", frozenset({S.IN_STOCK}), S.ON_LOAN, in_kit="issue the kit, or take it apart first"),
    A.RETURN: Rule("returned", frozenset({S.ON_LOAN}), S.QUARANTINE, why={S.IN_STOCK: "it is not on loan"}),
    A.ISSUE_WITH_KIT: Rule("issued", frozenset({S.IN_KIT}), S.ON_LOAN),
    A.UNKIT: Rule("taken out of its kit", frozenset({S.IN_KIT}), S.IN_STOCK),
    A.TRANSFER: Rule("given to its participant", frozenset({S.ON_LOAN}), S.OWNED),
    # Hub logistics. A kit travels with its items: they leave and arrive with it, and are back in it
    # at the destination. Only items in stock leave; what arrives damaged waits in quarantine there.
    A.DISPATCH: Rule(
        "dispatched",
        frozenset({S.IN_STOCK}),
        S.IN_TRANSIT,
        why={
            S.IN_KIT: "pack its kit instead, or take it out of the kit first",
            S.IN_TRANSIT: "it is already on its way",
        },
    ),
    A.DISPATCH_WITH_KIT: Rule("dispatched", frozenset({S.IN_KIT}), S.IN_TRANSIT),
    A.RECEIVE: Rule(
        "received", frozenset({S.IN_TRANSIT}), S.IN_STOCK, why={S.IN_STOCK: "it is not on its way anywhere"}
    ),
    A.RECEIVE_WITH_KIT: Rule("received", frozenset({S.IN_TRANSIT}), S.IN_KIT),
    A.RECEIVE_DAMAGED: Rule("received damaged", frozenset({S.IN_TRANSIT}), S.QUARANTINE),
    # A missing item leaves its kit (like a retired one): the kit stays, one item short.
    A.MARK_MISSING: Rule(
        "marked missing",
        frozenset({S.IN_STOCK, S.IN_KIT, S.QUARANTINE, S.REPAIR, S.IN_TRANSIT}),
        S.MISSING,
        why={S.ON_LOAN: "it is with a participant: a loan's lost item is reported on the loan"},
    ),
    A.FOUND: Rule("found", frozenset({S.MISSING}), S.IN_STOCK, why={S.IN_STOCK: "it is not missing"}),
    # The loan's own changes: an item on loan leaves it only through its loan (services.loan_changes),
    # which closes the loan item, moves or ends a SIM's data plan, and records the swap or the loss.
    A.SWAP_OUT: Rule("swapped out", frozenset({S.ON_LOAN}), S.QUARANTINE, why={S.IN_STOCK: "it is not on loan"}),
    A.SWAP_IN: Rule(
        "swapped in",
        frozenset({S.IN_STOCK}),
        S.ON_LOAN,
        in_kit="take it out of its kit first",
        why={S.RECEIVED: "only items in stock can replace one on loan"},
    ),
    A.REPORT_LOST: Rule(
        "reported lost or stolen", frozenset({S.ON_LOAN}), S.RETIRED, why={S.IN_STOCK: "it is not on loan"}
    ),
}
# The actions a person takes on the asset itself, in the order a screen offers them.
ASSET_ACTIONS = (A.MOVE, A.BUILD_KIT, A.QUARANTINE, A.RESTOCK, A.REPAIR, A.RETIRE, A.ISSUE, A.RETURN)

# The life cycle as a graph of statuses, read off the rules (DESIGN.md's diagram).
TRANSITIONS: dict[AssetStatus, frozenset[AssetStatus]] = {
    status: frozenset(r.target for r in RULES.values() if status in r.sources and r.target is not None)
    for status in AssetStatus
}
# Only assets that are physically in the organisation's hands have a location to change.
MOVABLE = RULES[A.MOVE].sources
# Physically held at one of our locations, so counted as stock there.
HELD = MOVABLE | {S.RECEIVED}
# Stock a partner or advocate could draw on.
AVAILABLE = frozenset({S.IN_STOCK})


def refusal_reason(action: AssetAction, status: AssetStatus, *, in_kit: bool) -> str | None:
    """Why an asset in this state cannot take the action now, or None when it can."""
    rule = RULES[action]
    if status not in rule.sources:
        return rule.why.get(status) or _STATE_REASON[status]
    if in_kit and rule.in_kit is not None:
        return rule.in_kit
    return None


def allows(action: AssetAction, status: AssetStatus, *, in_kit: bool) -> bool:
    return refusal_reason(action, status, in_kit=in_kit) is None


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
    S.IN_TRANSIT: "it is on its way to another location in a consignment",
    S.MISSING: "it is missing: it was not found where it should be",
}


class RetireReason(enum.StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    WRITTEN_OFF = "written_off"
    RECYCLED = "recycled"


class Asset(Model):
    __tablename__ = "assets"
    __table_args__ = (
        # Makers number their own products; two makers may use the same serial. A maker is one maker
        # however its name is written ("Dell", "dell"), as the import and the single-asset form compare
        # them. The serial comes first, so this index also answers a look-up by serial alone (scans,
        # search, the import's checks): no separate index on serial to keep up at every insert.
        sa.Index("uq_assets_serial_make", "serial", sa.func.lower(sa.column("make")).label("lower_make"), unique=True),
        # Stock counts group by these.
        sa.Index("ix_assets_location_type_status", "location_id", "type", "status"),
        # The asset list's sorts, each with the id that makes its order total (paging by key); the status
        # one also answers every `status = …` filter (no index on status alone).
        sa.Index("ix_assets_type_id", "type", "id"),
        sa.Index("ix_assets_status_id", "status", "id"),
        sa.Index("ix_assets_make_model_id", "make", "model", "id"),
        # The asset list's search by the start of a make or model (services.search.starts_with): b-trees on
        # the lower-case text, in byte order (text_pattern_ops, whatever the database's collation), so that
        # PostgreSQL reads `lower(make) LIKE 'q%'` as a range; carrying the id and the column itself, so the
        # range is answered from the index alone (a trigram index had to visit every matching row).
        *(
            sa.Index(
                f"ix_assets_{column}_prefix",
                sa.func.lower(sa.column(column)).label(f"lower_{column}"),
                postgresql_ops={f"lower_{column}": "text_pattern_ops"},
                postgresql_include=["id", column],
            )
            for column in ("make", "model")
        ),
        # A delivery's items, and what it brought (the deliveries page names each batch by its types and
        # makes): from the index alone, not 2,000 rows a batch.
        sa.Index("ix_assets_batch_type_make", "batch", "type", "make", postgresql_include=["received_at"]),
        # A kit's items. Most assets are in no kit: only those that are are indexed, so that receiving
        # (every new asset is in none) does not keep up an index of NULLs; `kit_id = …` implies the condition.
        sa.Index(
            "ix_assets_kit_id",
            "kit_id",
            postgresql_where=sa.text("kit_id IS NOT NULL"),
            sqlite_where=sa.text("kit_id IS NOT NULL"),
        ),
        sa.CheckConstraint("data_allowance_gb >= 0", name="data_allowance_gb"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(12), unique=True)
    type: Mapped[AssetType] = mapped_column(enum_type(AssetType, "asset_type"))
    make: Mapped[str] = mapped_column(sa.String(80))
    model: Mapped[str] = mapped_column(sa.String(120))
    serial: Mapped[str | None] = mapped_column(sa.String(64))  # looked up by uq_assets_serial_make
    imei: Mapped[str | None] = mapped_column(sa.String(15), unique=True)
    iccid: Mapped[str | None] = mapped_column(sa.String(22), unique=True)
    msisdn: Mapped[str | None] = mapped_column(sa.String(16))
    network: Mapped[str | None] = mapped_column(sa.String(40))
    data_allowance_gb: Mapped[int | None]
    condition: Mapped[Condition | None] = mapped_column(enum_type(Condition, "condition"))
    wipe_certificate: Mapped[str | None] = mapped_column(sa.String(64))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    status: Mapped[AssetStatus] = mapped_column(enum_type(AssetStatus, "asset_status"))  # ix_assets_status_id
    kit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kits.id"))  # ix_assets_kit_id
    # The delivery it arrived in, so a batch's labels can be printed together.
    batch: Mapped[str | None] = mapped_column(sa.String(32))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # When its label was last printed; never printed is how a batch of new stock is found.
    label_printed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    programme: Mapped[Programme | None] = relationship(lazy="joined", innerjoin=False)
    location: Mapped[Location | None] = relationship(lazy="joined", innerjoin=False)
    kit: Mapped[Kit | None] = relationship(back_populates="items")

    # --- predicates and state changes -----------------------------------------------------------

    def describe(self) -> str:
        return f"{self.tag} ({self.type.value})"

    def refusal(self, verb: str, reason: str | None = None) -> Conflict:
        return Conflict(
            f"{self.describe()} is {self.status.value}, so it cannot be {verb}: {reason or _STATE_REASON[self.status]}"
        )

    def can(self, action: AssetAction) -> bool:
        return allows(action, self.status, in_kit=self.kit_id is not None)

    def check(self, action: AssetAction) -> None:
        """Refuse (409, naming the asset, its state and why) unless the action is allowed now."""
        reason = refusal_reason(action, self.status, in_kit=self.kit_id is not None)
        if reason is not None:
            if self.kit_id is not None and self.status in RULES[action].sources and self.kit is not None:
                raise Conflict(
                    f"{self.describe()} is in kit {self.kit.tag}, so it cannot be "
                    f"{RULES[action].verb} on its own: {reason}"
                )
            raise self.refusal(RULES[action].verb, reason)

    def apply(self, action: AssetAction) -> None:
        """Check the action, then take it to the rule's status (a move changes no status)."""
        self.check(action)
        target = RULES[action].target
        if target is not None:
            self.status = target

    def move_to(self, location: Location, *, with_kit: bool = False) -> None:
        if self.status == AssetStatus.MISSING and not with_kit:
            # Moving a missing item somewhere is finding it there (DESIGN.md: "found: ... or moved").
            self.apply(AssetAction.FOUND)
            self.location = location
            return
        if with_kit:  # moving its kit moves it, whatever the rule says of moving it alone
            if self.status not in MOVABLE:
                raise self.refusal("moved")
        else:
            self.check(AssetAction.MOVE)
        self.location = location

    def go_missing(self) -> None:
        """Mark it missing; an item in a kit leaves the kit (the kit stays, one item short)."""
        self.apply(AssetAction.MARK_MISSING)
        self.kit = None

    @property
    def needs_wipe_certificate(self) -> bool:
        return self.type in DATA_BEARING
