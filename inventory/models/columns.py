"""Column helpers shared by the models: ids, enums stored as text, UTC timestamps."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import overload

import sqlalchemy as sa

from .. import clock

# 64-bit ids on PostgreSQL (a national service passes 2**31 events); SQLite needs INTEGER PRIMARY KEY
# to get its rowid alias and automatic numbering.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def utcnow() -> datetime:
    """Now by the app's clock (inventory.clock): the default stamp of every timestamp column."""
    return clock.now()


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """Store an enum by value as text with a CHECK constraint, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )
