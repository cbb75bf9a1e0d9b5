"""The append-only history: one row for every change of an asset or kit."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .columns import BigId, utcnow
from .reference import Location
from .users import Actor, User

if TYPE_CHECKING:
    from .kits import Kit


class Event(Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_asset_id_id", "asset_id", "id"),
        sa.Index("ix_events_kit_id_id", "kit_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id"))
    kit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kits.id"))
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    from_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    # Facts specific to the action (a retire reason, a wipe certificate, a kit's items); never
    # personal data: the ledger outlives any participant's right to be forgotten.
    details: Mapped[dict | None] = mapped_column(sa.JSON)

    actor: Mapped[User | None] = relationship(lazy="joined")
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id], lazy="joined")
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id], lazy="joined")
    kit: Mapped[Kit | None] = relationship(lazy="joined")


@event.listens_for(Event, "before_update")
def _events_are_append_only(mapper, connection, target):
    raise RuntimeError("events are append-only: write a new event instead of changing one")


@event.listens_for(Event, "before_delete")
def _events_are_never_deleted(mapper, connection, target):
    raise RuntimeError("events are append-only and are never deleted")


class Snapshot:
    """Where an asset or kit stood before a change, so its event can say from and to."""

    def __init__(self, thing):
        self.thing = thing
        self.status = thing.status.value
        self.location_id = thing.location_id
        self.kit_id = getattr(thing, "kit_id", None)

    def event(
        self,
        action: str,
        actor: Actor | None,
        *,
        note: str | None = None,
        details: dict | None = None,
        kit_id: int | None = None,
    ) -> Event:
        thing = self.thing
        from .assets import Asset

        is_asset = isinstance(thing, Asset)
        return Event(
            actor_id=actor.id if actor else None,
            asset_id=thing.id if is_asset else None,
            kit_id=(kit_id or self.kit_id) if is_asset else thing.id,
            action=action,
            from_status=self.status,
            to_status=thing.status.value,
            from_location_id=self.location_id,
            to_location_id=thing.location.id if thing.location is not None else None,
            note=note,
            details=details,
        )
