"""The list of loans (the /loans page): the viewer's caseload's loans, newest first, narrowed by state
(open, overdue, closed), programme and issue dates, a page at a time by key."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..errors import InvalidInput
from ..models import Actor, Loan, Participant
from ..visibility import in_caseload
from .loan_changes import overdue_condition, still_out
from .reference import find_programme

# A loan's state on a day, in the words of the list's filter. Overdue loans are open loans too.
LOAN_STATES = {"open": "Open", "overdue": "Overdue", "closed": "Closed"}


def state_condition(state: str, today: date) -> sa.ColumnElement[bool]:
    if state == "open":
        return still_out()
    if state == "overdue":
        return overdue_condition(today)
    if state == "closed":
        return ~still_out()
    raise InvalidInput(f"Unknown state '{state}'", {"state": ["Choose open, overdue or closed."]})


def state_of(loan: Loan, today: date) -> str:
    """The same rule as state_condition, for a loan already read (the list's tag)."""
    if loan.overdue_days(today):
        return "overdue"
    return "open" if loan.outstanding() else "closed"


def loan_query(
    viewer: Actor,
    today: date,
    *,
    state: str | None = None,
    programme: str | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    after: int | None = None,
) -> sa.Select:
    """Loans of participants the viewer may see (advocates: their caseload; admins: all), newest first
    (by id: the order they were recorded), with their participant loaded; `after` starts after that id."""
    query = (
        sa.select(Loan)
        .join(Participant, Participant.id == Loan.participant_id)
        .where(in_caseload(Participant.advocate_id, viewer))
        .options(contains_eager(Loan.participant))
    )
    if state:
        query = query.where(state_condition(state, today))
    if programme:
        query = query.where(Loan.programme_id == find_programme(programme).id)
    if issued_from is not None:
        query = query.where(Loan.issued_on >= issued_from)
    if issued_to is not None:
        query = query.where(Loan.issued_on <= issued_to)
    if after is not None:
        query = query.where(Loan.id < after)
    return query.order_by(Loan.id.desc())
