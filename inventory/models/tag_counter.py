"""The counter tags are drawn from: every number is handed out once, so every tag is unique for ever."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from ..extensions import Model, db
from ..tags import tag_for_number

# On PostgreSQL a sequence: it never blocks concurrent transactions and never hands a number out
# twice (a rolled-back transaction leaves a harmless gap).
TAG_SEQUENCE = sa.Sequence("tag_numbers", metadata=db.metadata)


class TagCounter(Model):
    """On SQLite, where there are no sequences, one row holds the next number. SQLite allows one
    writer at a time, and every writer opens its transaction with BEGIN IMMEDIATE, so two
    transactions never read the same value."""

    __tablename__ = "tag_counter"

    name: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.BigInteger)


def allocate_tags(session: Session | scoped_session[Any], count: int) -> list[str]:
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        numbers = (
            session.execute(
                sa.select(sa.func.nextval(TAG_SEQUENCE.name)).select_from(sa.func.generate_series(1, count))
            )
            .scalars()
            .all()
        )
    else:
        row = session.execute(
            sa.update(TagCounter)
            .where(TagCounter.name == "tags")
            .values(next_value=TagCounter.next_value + count)
            .returning(TagCounter.next_value)
        ).scalar_one_or_none()
        if row is None:
            session.execute(sa.insert(TagCounter).values(name="tags", next_value=1 + count))
            row = 1 + count
        numbers = range(row - count, row)
    return [tag_for_number(n) for n in numbers]
