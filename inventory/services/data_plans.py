"""Free-data plans: listed by status and end date, extended by whole months."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import Actor, Asset, AssetStatus, DataPlan, Loan, PlanStatus
from ..permissions import whole_caseload
from ..visibility import caseload_ids, sees_participant
from .cursors import Key, after_key
from .reference import find_programme

MAX_EXTENSION_MONTHS = 24


def plan_query(
    viewer: Actor,
    today: date,
    *,
    status: str | None = None,
    ends_before: date | None = None,
    participant: int | None = None,
    ending_within: int | None = None,
    programme: str | None = None,
    after: tuple[Key, int] | None = None,
) -> sa.Select:
    """Plans of participants the viewer may see, soonest end first (ends_on, id); `after` is the
    (ends_on, id) of the row a page ended at (paging by key, answered by the index on those columns)."""
    query = sa.select(DataPlan)
    if not whole_caseload(viewer.role):
        query = query.where(DataPlan.participant_id.in_(caseload_ids(viewer)))
    if status:
        query = query.where(DataPlan.status_condition(PlanStatus(status), today))
    if ends_before:
        query = query.where(DataPlan.ends_on < ends_before)
    if participant is not None:
        query = query.where(DataPlan.participant_id == participant)
    if ending_within is not None:
        # An advocate's "who is about to lose their free data" list.
        query = query.where(
            DataPlan.status_condition(PlanStatus.ACTIVE, today),
            DataPlan.ends_on <= today + timedelta(days=ending_within),
        )
    if programme:
        chosen = find_programme(programme).id
        query = query.join(Loan, Loan.id == DataPlan.loan_id).where(Loan.programme_id == chosen)
    if after is not None:
        key, last_id = after
        query = query.where(after_key([DataPlan.ends_on], key, last_id, DataPlan.id))
    return query.order_by(DataPlan.ends_on, DataPlan.id)


def plan_key(plan: DataPlan) -> tuple[date]:
    """The plan list's sort key (with the id, where the next page starts)."""
    return (plan.ends_on,)


def extend(plan_id: int, months: int, actor: Actor, today: date) -> DataPlan:
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise InvalidInput(f"Extend by 1 to {MAX_EXTENSION_MONTHS} whole months", {"months": ["1 to 24."]})
    plan = db.session.scalar(
        sa.select(DataPlan)
        .where(DataPlan.id == plan_id)
        .with_for_update(of=DataPlan)
        .execution_options(populate_existing=True)
    )
    if plan is None or not sees_participant(plan.participant_id, actor):  # the caller's caseload only
        raise NotFound("No data plan with this id")  # someone else's answers the same
    if plan.ended_on is not None:
        raise Conflict(
            f"Data plan {plan_id} ended on {plan.ended_on.isoformat()} when its SIM came back; "
            "issue a SIM again instead"
        )
    if plan.sim.status not in (AssetStatus.ON_LOAN, AssetStatus.OWNED):
        raise Conflict(f"Data plan {plan_id}'s SIM {plan.sim.tag} is {plan.sim.status.value}, not with the participant")
    if plan.months + months > DataPlan.MAX_MONTHS:
        raise InvalidInput(
            f"Data plan {plan_id} already runs {plan.months} months: it can run at most {DataPlan.MAX_MONTHS} in all",
            {"months": [f"At most {DataPlan.MAX_MONTHS - plan.months}."]},
        )
    plan.set_months(plan.months + months)
    db.session.flush()
    return plan


def _plan_of(loan_id: int, sim: Asset) -> DataPlan | None:
    return db.session.scalar(
        sa.select(DataPlan)
        .where(DataPlan.loan_id == loan_id, DataPlan.sim_id == sim.id, DataPlan.ended_on.is_(None))
        .with_for_update(of=DataPlan)
        .execution_options(populate_existing=True)
    )


def move_to_sim(loan_id: int, old: Asset, new: Asset) -> DataPlan | None:
    """A swapped SIM's free data carries on on its replacement: the same plan, the same end date (and
    so the same reminders, which are keyed by plan and end date, never sent twice)."""
    plan = _plan_of(loan_id, old)
    if plan is not None:
        plan.sim = new
    return plan


def end_for_sim(loan_id: int, sim: Asset, on: date) -> DataPlan | None:
    """The SIM is gone (lost or stolen): its free data ends, and no reminder about it goes out any more
    (the sweep and the sender skip ended plans)."""
    plan = _plan_of(loan_id, sim)
    if plan is not None:
        plan.ended_on = on
    return plan
