"""Keeps each participant's last day of involvement (Participant.last_involved_on): every flush notes
whose loans, returns, assessments, transfers or data plans it wrote, and the commit sets their day again
from their rows, exactly, so that a change that moves it earlier (a SIM back before its plan's end) is
kept as faithfully as one that moves it later.

Why at commit, under a lock on their rows, in id order: two transactions changing one participant's rows
at once would each see only their own; the second waits for the first to commit, then reads both. Taking
the rows in id order, at the end, is the order every transaction takes them in (no deadlocks), as the kept
counts do (models/tallying.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from .assessments import Assessment, Transfer
from .loans import DataPlan, Loan, LoanItem
from .participants import Participant

_TOUCHED = "involvement_touched"  # Session.info key: ids of participants whose dated rows were written

# The dated attributes of each model, and how a row names its participant.
_DATED = {
    Loan: ("participant_id", "issued_on"),
    LoanItem: ("loan_id", "returned_on"),
    Assessment: ("participant_id", "taken_on"),
    Transfer: ("participant_id", "transferred_on"),
    DataPlan: ("participant_id", "ends_on", "ended_on"),
}


def _values(obj, name: str) -> list:
    """The attribute's value now and, if this flush changed it, before."""
    history = sa.inspect(obj).attrs[name].history
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]


def _participants_of(session: Session, obj) -> set[int]:
    if not isinstance(obj, LoanItem):
        return set(_values(obj, "participant_id"))
    found = set()
    for loan_id in _values(obj, "loan_id"):
        loan = session.identity_map.get(identity_key(Loan, loan_id))
        if loan is not None and loan.participant_id is not None:
            found.add(loan.participant_id)
        else:
            owner = session.execute(sa.select(Loan.participant_id).where(Loan.id == loan_id)).scalar()
            if owner is not None:
                found.add(owner)
    return found


@event.listens_for(Session, "after_flush")
def _note(session: Session, flush_context) -> None:
    touched: set[int] = set()
    for how, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            dated = _DATED.get(type(obj))
            if dated is None:
                continue
            if how == "dirty" and not any(sa.inspect(obj).attrs[name].history.has_changes() for name in dated):
                continue
            touched |= _participants_of(session, obj)
    if touched:
        session.info.setdefault(_TOUCHED, set()).update(touched)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_TOUCHED, None)


@event.listens_for(Session, "before_commit")
def _keep(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: kept when the transaction it belongs to commits
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        keep(session, sorted(touched))


def last_days(participant_ids: Iterable[int] | None = None) -> sa.Select:
    """(participant id, their last dated day) for those of them (None: everyone) with any dated row,
    from the rows: what Participant.last_involved_on keeps."""
    ids = None if participant_ids is None else list(participant_ids)

    def of(column):
        return sa.true() if ids is None else column.in_(ids)

    days = sa.union_all(
        sa.select(Loan.participant_id.label("pid"), Loan.issued_on.label("day")).where(of(Loan.participant_id)),
        sa.select(Loan.participant_id, LoanItem.returned_on)
        .join(LoanItem, LoanItem.loan_id == Loan.id)
        .where(of(Loan.participant_id), LoanItem.returned_on.is_not(None)),
        sa.select(Assessment.participant_id, Assessment.taken_on).where(of(Assessment.participant_id)),
        sa.select(Transfer.participant_id, Transfer.transferred_on).where(of(Transfer.participant_id)),
        sa.select(DataPlan.participant_id, sa.func.coalesce(DataPlan.ended_on, DataPlan.ends_on)).where(
            of(DataPlan.participant_id)
        ),
    ).subquery()
    return sa.select(days.c.pid, sa.func.max(days.c.day)).group_by(days.c.pid)


def keep(session: Session, participant_ids: list[int]) -> None:
    """Set these participants' last day of involvement from their rows (ids sorted: the lock order)."""
    table = cast(sa.Table, Participant.__table__)
    for start in range(0, len(participant_ids), 1000):
        ids = participant_ids[start : start + 1000]
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update())
        found: dict[int, date] = {pid: day for pid, day in session.execute(last_days(ids))}
        session.execute(
            sa.update(table).where(table.c.id == sa.bindparam("pid")).values(last_involved_on=sa.bindparam("day")),
            [{"pid": pid, "day": found.get(pid)} for pid in ids],
        )
