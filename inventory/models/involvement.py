"""The last day of each participant's involvement (a loan issued, an item returned, an assessment, a
transfer, a data plan's end), kept in its own table: the nightly retention job finds by its index the few
whose last day just passed the cut-off. Every flush notes whose dated rows it wrote, and the commit sets
their day again from their rows, exactly, so a change that moves it earlier (a SIM back before its plan's
end) is kept as faithfully as one that moves it later.

Why its own table, written at commit, its rows locked in id order before they are read: two transactions
changing one participant's rows at once would each see only their own, so the second waits for the first
and then reads both. Those locks are the last a transaction takes, in one order, as the kept counts' are
(models/tallying.py), so they cannot close a circle: a lock on the participant's own row could, with a
transaction that holds it (an assessment) and waits for an asset the other holds (a return's SIM)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

from ..extensions import Model
from .assessments import Assessment, Transfer
from .assets import Asset, AssetStatus
from .loans import DataPlan, Loan, LoanItem


class LastInvolved(Model):
    """A participant's last dated day (None: no dated row yet, or an item still on loan to them, so their
    involvement has not ended: the nightly retention need not look at them). No foreign key: inserting a row would
    take a share lock on the participant's row, which a transaction holding it for update would block."""

    __tablename__ = "participant_last_days"

    participant_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date | None] = mapped_column(sa.Date, index=True)


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
    from the rows: what LastInvolved keeps. None for someone who still has an item on loan: their
    involvement has not ended. (An item leaves a loan only through its loan, which writes a dated row:
    a return, a loss, a swap, a transfer; so the day is set again when that happens.)"""
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
    holding = (
        sa.select(Loan.participant_id)
        .join(LoanItem, LoanItem.loan_id == Loan.id)
        .join(Asset, Asset.id == LoanItem.asset_id)
        .where(of(Loan.participant_id), LoanItem.returned_on.is_(None), Asset.status == AssetStatus.ON_LOAN)
    )
    last = sa.case((days.c.pid.in_(holding), sa.null()), else_=sa.func.max(days.c.day))
    return sa.select(days.c.pid, sa.type_coerce(last, sa.Date())).group_by(days.c.pid)


def keep(session: Session, participant_ids: list[int]) -> None:
    """Set these participants' last day of involvement from their rows (ids sorted: the lock order)."""
    table = cast(sa.Table, LastInvolved.__table__)
    postgres = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(participant_ids), 1000):
        ids = participant_ids[start : start + 1000]
        rows = [{"participant_id": pid, "day": None} for pid in ids]
        if postgres:
            # Make sure each row is there, then lock them: a row another transaction is writing is waited
            # for, and what is read next (a statement of its own) sees what that transaction committed.
            session.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
            session.execute(
                sa.select(table.c.participant_id)
                .where(table.c.participant_id.in_(ids))
                .order_by(table.c.participant_id)
                .with_for_update()
            )
        else:  # SQLite: one writer at a time already
            session.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
        found: dict[int, date | None] = {pid: day for pid, day in session.execute(last_days(ids))}
        session.execute(
            sa.update(table).where(table.c.participant_id == sa.bindparam("pid")).values(day=sa.bindparam("d")),
            [{"pid": pid, "d": found.get(pid)} for pid in ids],
        )
