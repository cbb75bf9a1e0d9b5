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
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstanceState, Session, SessionTransaction
from sqlalchemy.orm.util import identity_key

from .assessments import Transfer
from .counts import TALLIES, Tally
from .loans import Loan, LoanItem
from .participants import Participant

log = logging.getLogger(__name__)

_SEEN = "counted_as"  # InstanceState.info key: {attribute: value} as last counted
_PENDING = "count_deltas"  # Session.info key: [(transaction, Counter of (tally index, key) -> delta)]
_BY_MODEL: dict[type, list[Tally]] = {}
for _tally in TALLIES:
    _BY_MODEL.setdefault(_tally.model, []).append(_tally)


def _attrs(model: type) -> set[str]:
    return {a for tally in _BY_MODEL[model] for a in tally.attrs}


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


class _FlushLookup:
    """A tally's lookups during a flush: after it (the database and the session agree), or before it
    (the same, except for participants this flush changed, whose earlier values are given)."""

    def __init__(self, session: Session, earlier: dict[int, tuple[int, str]] | None, cache: dict):
        self.session, self.earlier, self.cache = session, earlier, cache

    def _cached(self, key: tuple, query):
        if key not in self.cache:
            self.cache[key] = query()
        return self.cache[key]

    def participant(self, participant_id: int) -> tuple[int, str]:
        if self.earlier is not None and participant_id in self.earlier:
            return self.earlier[participant_id]
        person = self.session.identity_map.get(identity_key(Participant, participant_id))
        if person is not None and {"programme_id", "area"} <= sa.inspect(person).dict.keys():
            return (person.programme_id, str(person.area))
        row = self._cached(
            ("participant", participant_id),
            lambda: self.session.execute(
                sa.select(Participant.programme_id, Participant.area).where(Participant.id == participant_id)
            ).one(),
        )
        return (row[0], str(row[1]))

    def loan(self, loan_id: int) -> tuple[int, date]:
        return self._cached(
            ("loan", loan_id),
            lambda: tuple(
                self.session.execute(sa.select(Loan.participant_id, Loan.issued_on).where(Loan.id == loan_id)).one()
            ),
        )

    def transfer(self, transfer_id: int) -> tuple[int, date]:
        return self._cached(
            ("transfer", transfer_id),
            lambda: tuple(
                self.session.execute(
                    sa.select(Transfer.participant_id, Transfer.transferred_on).where(Transfer.id == transfer_id)
                ).one()
            ),
        )

    def kit_leader(self, loan_id: int, kit_id: int) -> int:
        return self._cached(
            ("leader", loan_id, kit_id),
            lambda: self.session.scalar(
                sa.select(sa.func.min(LoanItem.asset_id)).where(LoanItem.loan_id == loan_id, LoanItem.kit_id == kit_id)
            ),
        )


def _moves(tally: Tally, before, after, was: _FlushLookup, now: _FlushLookup, deltas: Counter) -> None:
    for key in tally.keys(before, was) if before is not None else []:
        deltas[(tally, key)] -= 1
    for key in tally.keys(after, now) if after is not None else []:
        deltas[(tally, key)] += 1


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, flush_context) -> None:
    changes = []  # (object, its state, counted as before the flush, as after it)
    for how, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if type(obj) not in _BY_MODEL:
                continue
            state = sa.inspect(obj)
            names = _attrs(type(obj))
            before = None if how == "new" else state.info.get(_SEEN)  # new: counted nowhere yet
            if how != "new" and (before is None or not names <= before.keys()):
                log.error("a %s changed without a record of how it was counted: the counts check will say", type(obj))
                continue
            after = None if how == "deleted" else {name: state.dict.get(name) for name in names}
            changes.append((obj, state, before, after))
    if not changes:
        return
    earlier = {
        state.dict["id"]: (before["programme_id"], str(before["area"]))
        for obj, state, before, after in changes
        if isinstance(obj, Participant) and before is not None
    }
    cache: dict = {}
    was, now = _FlushLookup(session, earlier, cache), _FlushLookup(session, None, cache)
    deltas: Counter = Counter()
    counted: set[tuple[type, int]] = set()
    for obj, state, before, after in changes:
        if before != after:
            for tally in _BY_MODEL[type(obj)]:
                _moves(tally, before, after, was, now, deltas)
            counted.add((type(obj), state.dict.get("id")))
        if after is not None:
            state.info[_SEEN] = after
    # A participant who moved area takes the counts of their loans, assessments and plans along.
    for person_id, (programme_id, area) in earlier.items():
        if now.participant(person_id) == (programme_id, area):
            continue
        for tally in TALLIES:
            if tally.of_participant is None:
                continue
            for row_id, *values in session.execute(tally.of_participant(person_id)):
                if (tally.model, row_id) not in counted:
                    row = dict(zip(tally.attrs, values, strict=True))
                    _moves(tally, row, row, was, now, deltas)
    deltas = Counter({k: v for k, v in deltas.items() if v})
    if deltas:
        transaction = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_PENDING, []).append((transaction, deltas))


def count_inserted(session: Session, model: type, rows: Iterable[Mapping[str, Any]]) -> None:
    """Count rows of `model` written without the ORM (a Core insert of a batch, which no flush sees),
    exactly as the flush hook would count the same rows added as new objects: each row (its values as
    inserted; a tallied attribute it leaves out is NULL) adds one to the count rows its tallies name.
    Call it in the transaction (or savepoint) that inserted them: the counts are added at commit in
    the same sorted pass as everything else, and a savepoint rolled back takes them with it."""
    tallies = _BY_MODEL.get(model)
    if not tallies:
        return
    names = sorted(_attrs(model))
    # Rows alike in what the tallies read are counted alike: each distinct set of values is counted once.
    alike = Counter(tuple(row.get(name) for name in names) for row in rows)
    look = _FlushLookup(session, None, {})
    deltas: Counter = Counter()
    for values, rows_alike in alike.items():
        after = dict(zip(names, values, strict=True))
        for tally in tallies:
            for key in tally.keys(after, look):
                deltas[(tally, key)] += rows_alike
    deltas = Counter({k: v for k, v in deltas.items() if v})
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
    settle(session)


def settle(session: Session) -> None:
    """Write what this transaction has changed so far into the count rows now: for a reader of counts
    that wrote first (a test, or a page that changes and then shows stock). Inside a savepoint, what it
    writes goes with the savepoint if that is rolled back."""
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    total: Counter = Counter()
    for _, deltas in pending:
        total.update(deltas)
    # Sorted by table and key, so every transaction takes its count rows in the same order (no deadlocks).
    by_row: Counter = Counter()
    for (tally, key), delta in total.items():
        by_row[(_table_of(tally), key)] += delta
    for (table_name, key), delta in sorted(by_row.items(), key=lambda item: (item[0][0], _sortable(item[0][1]))):
        if delta:
            _add(session, _TALLY_OF_TABLE[table_name], key, delta)


def _table_of(tally: Tally) -> str:
    return f"{tally.table.__tablename__}.{tally.column}"  # type: ignore[attr-defined]


# Tallies that write the same table and column write it the same way; any one of them stands for all.
_TALLY_OF_TABLE = {_table_of(tally): tally for tally in TALLIES}


def _sortable(key: tuple) -> tuple:
    return tuple(str(part) for part in key)


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
