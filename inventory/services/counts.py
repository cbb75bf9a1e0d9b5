"""The kept counts' check: recount every tally from its rows, compare with what is kept, and repair.

The counts are kept by the flush hooks (models/tallying.py) in the same transaction as each change, so
they should never differ; this is how that is shown (`inventory counts check`, and after every test),
and how a database written by something that bypassed the models (a hand-made UPDATE) is put right.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import cast

import sqlalchemy as sa

from ..extensions import db
from ..models import TALLIES, LastInvolved, Tally
from ..models.involvement import last_days

LAST_DAYS = "participant_last_days"


@dataclass(frozen=True)
class Difference:
    tally: str
    key: tuple
    kept: int | date | None  # a date for LAST_DAYS, kept like the counts
    counted: int | date | None

    def __str__(self) -> str:
        return f"{self.tally} {'/'.join(str(k) for k in self.key)}: kept {self.kept}, counted {self.counted}"


def _lock(exclusive: bool) -> None:
    """Hold off writers while recounting: a change committed between reading the rows and reading the
    counts would look like a difference. (SQLite's writer lock, taken at BEGIN, does this already.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        kept = {t.table.__tablename__ for t in TALLIES} | {LastInvolved.__tablename__}  # type: ignore[attr-defined]
        tables = ", ".join(sorted(kept))
        mode = "SHARE ROW EXCLUSIVE" if exclusive else "SHARE"
        db.session.execute(sa.text(f"LOCK TABLE {tables} IN {mode} MODE"))


def _normal(key) -> tuple:
    return tuple(str(part) if hasattr(part, "value") else part for part in key)


def _tables() -> dict[tuple[type, str], list[Tally]]:
    """The tallies by the table and column they keep (the outcome report's share one)."""
    found: dict[tuple[type, str], list[Tally]] = {}
    for tally in TALLIES:
        found.setdefault((tally.table, tally.column), []).append(tally)
    return found


def _name(table: type, column: str) -> str:
    name = table.__tablename__  # type: ignore[attr-defined]
    return name if column == "count" else f"{name}.{column}"


def _kept(table: type, column: str, key_columns: tuple[str, ...]) -> dict[tuple, int]:
    t = table.__table__  # type: ignore[attr-defined]
    rows = db.session.execute(sa.select(*(t.c[name] for name in key_columns), t.c[column]))
    return {_normal(row[:-1]): row[-1] for row in rows if row[-1]}


def _counted(tallies: list[Tally]) -> dict[tuple, int]:
    total: Counter = Counter()
    for tally in tallies:
        for key, n in tally.recount(db.session).items():
            total[_normal(key)] += n
    return {key: n for key, n in total.items() if n}


def differences(*, lock: bool = True) -> list[Difference]:
    """Every count that is not what recounting its rows gives (none, when all is well)."""
    if lock:
        _lock(exclusive=False)
    found = []
    for (table, column), tallies in _tables().items():
        kept, counted = _kept(table, column, tallies[0].key_columns), _counted(tallies)
        for key in sorted(kept.keys() | counted.keys(), key=str):
            if kept.get(key, 0) != counted.get(key, 0):
                found.append(Difference(_name(table, column), key, kept.get(key, 0), counted.get(key, 0)))
    return found + _last_days_wrong()


def _last_days_wrong() -> list[Difference]:
    """Participants whose kept last day of involvement is not what their rows say."""
    counted = {pid: day for pid, day in db.session.execute(last_days())}
    kept = {pid: day for pid, day in db.session.execute(sa.select(LastInvolved.participant_id, LastInvolved.day))}
    return [
        Difference(LAST_DAYS, (pid,), kept.get(pid), counted.get(pid))
        for pid in sorted(kept.keys() | counted.keys())
        if kept.get(pid) != counted.get(pid)
    ]


def repair() -> list[Difference]:
    """Set every count to what recounting gives; answers what was wrong. In bulk: a national database
    built by bulk loading has tens of thousands of counts to write."""
    _lock(exclusive=True)
    wrong = differences(lock=False)
    days = [d for d in wrong if d.tally == LAST_DAYS]
    t = cast(sa.Table, LastInvolved.__table__)
    for start in range(0, len(days), 1000):  # a national database built in bulk has 100,000 to write
        part = days[start : start + 1000]
        db.session.execute(sa.delete(t).where(t.c.participant_id.in_([d.key[0] for d in part])))
        written = [{"participant_id": d.key[0], "day": d.counted} for d in part if d.counted is not None]
        if written:
            db.session.connection().execute(sa.insert(t), written)
    for (table, column), tallies in _tables().items():
        name, key_columns = _name(table, column), tallies[0].key_columns
        fixes = [d for d in wrong if d.tally == name]
        if not fixes:
            continue
        t = table.__table__  # type: ignore[attr-defined]
        stored = {_normal(row) for row in db.session.execute(sa.select(*(t.c[k] for k in key_columns)))}
        updates = [
            {**{f"k_{k}": v for k, v in zip(key_columns, d.key, strict=True)}, "n": d.counted}
            for d in fixes
            if d.key in stored
        ]
        inserts = [
            {**dict(zip(key_columns, d.key, strict=True)), column: d.counted} for d in fixes if d.key not in stored
        ]
        if updates:
            statement = (
                sa.update(t)
                .where(*(t.c[k] == sa.bindparam(f"k_{k}") for k in key_columns))
                .values({column: sa.bindparam("n")})
            )
            db.session.connection().execute(statement, updates)
        if inserts:
            db.session.connection().execute(sa.insert(t), inserts)
    return wrong
