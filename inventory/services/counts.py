"""The kept counts' check: recount every tally from its rows, compare with what is kept, and repair.

The counts are kept by the flush hooks (models/tallying.py) in the same transaction as each change, so
they should never differ; this is how that is shown (`inventory counts check`, and after every test),
and how a database written by something that bypassed the models (a hand-made UPDATE) is put right.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import TALLIES, Tally


@dataclass(frozen=True)
class Difference:
    tally: str
    key: tuple
    kept: int
    counted: int

    def __str__(self) -> str:
        return f"{self.tally} {'/'.join(str(k) for k in self.key)}: kept {self.kept}, counted {self.counted}"


def _lock(exclusive: bool) -> None:
    """Hold off writers while recounting: a change committed between reading the rows and reading the
    counts would look like a difference. (SQLite's writer lock, taken at BEGIN, does this already.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        tables = ", ".join(sorted({t.table.__table__.name for t in TALLIES}))  # type: ignore[attr-defined]
        mode = "SHARE ROW EXCLUSIVE" if exclusive else "SHARE"
        db.session.execute(sa.text(f"LOCK TABLE {tables} IN {mode} MODE"))


def _normal(key) -> tuple:
    return tuple(str(part) if hasattr(part, "value") else part for part in key)


def _kept(tally: Tally) -> dict[tuple, int]:
    table = tally.table.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in tally.key_columns]
    rows = db.session.execute(sa.select(*columns, table.c[tally.column]))
    return {_normal(row[:-1]): row[-1] for row in rows if row[-1]}


def _counted(tally: Tally) -> dict[tuple, int]:
    assert tally.recount is not None
    return {_normal(row[:-1]): row[-1] for row in db.session.execute(tally.recount()) if row[-1]}


def differences(*, lock: bool = True) -> list[Difference]:
    """Every count that is not what recounting its rows gives (none, when all is well)."""
    if lock:
        _lock(exclusive=False)
    found = []
    for tally in TALLIES:
        kept, counted = _kept(tally), _counted(tally)
        for key in sorted(kept.keys() | counted.keys(), key=str):
            if kept.get(key, 0) != counted.get(key, 0):
                found.append(Difference(tally.name, key, kept.get(key, 0), counted.get(key, 0)))
    return found


def repair() -> list[Difference]:
    """Set every count to what recounting gives; answers what was wrong."""
    _lock(exclusive=True)
    wrong = differences(lock=False)
    for difference in wrong:
        tally = next(t for t in TALLIES if t.name == difference.tally)
        table = tally.table.__table__  # type: ignore[attr-defined]
        where = [table.c[name] == value for name, value in zip(tally.key_columns, difference.key, strict=True)]
        updated = db.session.execute(sa.update(table).where(*where).values({tally.column: difference.counted}))
        if not updated.rowcount:  # type: ignore[attr-defined]
            values = dict(zip(tally.key_columns, difference.key, strict=True))
            db.session.execute(sa.insert(table).values({**values, tally.column: difference.counted}))
    return wrong
