"""Keeps the TALLIES of models/counts.py: every flush notes how the counted rows it wrote moved between
counts, and the transaction's commit adds the sum to the count rows, in one sorted pass.

Why at commit and not at each flush: a transaction that flushes several times (a batch of moves) would
otherwise lock count rows in whatever order its changes came, and two such transactions could deadlock
on each other's rows. At commit every transaction takes its count rows in the same (sorted) order and
holds them only until the COMMIT that follows. Why not database triggers: the same deadlock, per row.

Savepoints: what a flush noted inside a savepoint that is rolled back is dropped with it.

Each counted object remembers the attributes it was last counted with (in its InstanceState's info),
set when it is loaded or refreshed and after every flush, so a change made through a relationship
(asset.location = hub) is seen by its foreign key once the flush has written it.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstanceState, Session, SessionTransaction

from .counts import TALLIES, Tally

log = logging.getLogger(__name__)

_SEEN = "counted_as"  # InstanceState.info key: {attribute: value} as last counted
_PENDING = "count_deltas"  # Session.info key: [(transaction, Counter of (tally index, key) -> delta)]
_BY_MODEL: dict[type, list[tuple[int, Tally]]] = {}
for _index, _tally in enumerate(TALLIES):
    _BY_MODEL.setdefault(_tally.model, []).append((_index, _tally))


def _attrs(model: type) -> set[str]:
    return {a for _, tally in _BY_MODEL[model] for a in tally.attrs}


def _remember(state: InstanceState, names: set[str] | None = None) -> None:
    seen = state.info.setdefault(_SEEN, {})
    for name in names if names is not None else _attrs(state.class_):
        if name in state.dict:
            seen[name] = state.dict[name]


def _on_load(target, context) -> None:
    _remember(sa.inspect(target))


def _on_refresh(target, context, attrs) -> None:
    wanted = _attrs(type(target))
    _remember(sa.inspect(target), wanted if attrs is None else wanted & set(attrs))


for _model in _BY_MODEL:
    event.listen(_model, "load", _on_load)
    event.listen(_model, "refresh", _on_refresh)


def _key(tally: Tally, values: dict[str, Any] | None) -> tuple | None:
    return None if values is None else tally.key(values)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, flush_context) -> None:
    deltas: Counter = Counter()
    changed = [(o, "new") for o in session.new] + [(o, "dirty") for o in session.dirty]
    for obj, how in changed + [(o, "deleted") for o in session.deleted]:
        tallies = _BY_MODEL.get(type(obj))
        if not tallies:
            continue
        state = sa.inspect(obj)
        names = _attrs(type(obj))
        before = None if how == "new" else state.info.get(_SEEN)  # new: counted nowhere yet
        if how != "new" and (before is None or not names <= before.keys()):
            log.error("a %s changed without a record of how it was counted: the counts check will say", type(obj))
            continue
        gone = how == "deleted"
        after = None if gone else {name: state.dict.get(name) for name in names}
        for index, tally in tallies:
            old, new = _key(tally, before), _key(tally, after)
            if old != new:
                if old is not None:
                    deltas[(index, old)] -= 1
                if new is not None:
                    deltas[(index, new)] += 1
        if after is not None:
            state.info[_SEEN] = after
    if deltas:
        transaction = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_PENDING, []).append((transaction, deltas))


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [(t, d) for t, d in pending if not _within(t, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "before_commit")
def _apply(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: its changes count when the transaction they belong to commits
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    total: Counter = Counter()
    for _, deltas in pending:
        total.update(deltas)
    # Sorted, so every transaction takes its count rows in the same order (no deadlocks).
    for (index, key), delta in sorted(total.items(), key=lambda item: (item[0][0], item[0][1])):
        if delta:
            _add(session, TALLIES[index], key, delta)


def _add(session: Session, tally: Tally, key: tuple, delta: int) -> None:
    table = tally.table.__table__  # type: ignore[attr-defined]
    where = dict(zip(tally.key_columns, key, strict=True))
    column = table.c[tally.column]
    if not tally.upsert:
        session.execute(
            sa.update(table).where(*(table.c[k] == v for k, v in where.items())).values({column: column + delta})
        )
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        {**where, tally.column: delta}
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=list(tally.key_columns), set_={tally.column: column + insert.excluded[tally.column]}
        )
    )
