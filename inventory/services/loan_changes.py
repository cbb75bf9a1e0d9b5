"""A loan after it is issued: a faulty item swapped for another of its type, items reported lost or
stolen (their SIMs to be barred by the network), and loans past their return date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict, cast

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import (
    Actor,
    Asset,
    AssetAction,
    AssetStatus,
    AssetType,
    ItemClosure,
    KitAction,
    KitStatus,
    Loan,
    LoanItem,
    LoanSwap,
    Participant,
    RetireReason,
    SimToBar,
    Snapshot,
    utcnow,
)
from ..models.assets import allows
from ..visibility import in_caseload
from . import data_plans
from .assets import checked_tag, lock_assets
from .issuing import get_loan
from .participants import CaseFile
from .reference import find_location
from .scanning import tag_in_code

LOSS_REASONS = (RetireReason.LOST, RetireReason.STOLEN)


def _locked_loan(loan_id: int, actor: Actor) -> Loan:
    """The loan, if it is on the actor's caseload, locked: two changes to one loan take turns."""
    get_loan(loan_id, actor)  # someone else's loan answers as a missing one
    # Read again under the lock, items too: what a change that held the lock before us committed.
    return db.session.scalars(
        sa.select(Loan).where(Loan.id == loan_id).with_for_update(of=Loan).execution_options(populate_existing=True)
    ).one()


def _outstanding_item(loan: Loan, tag: str, field: str) -> LoanItem:
    for item in loan.outstanding():
        if item.asset.tag == tag:
            return item
    raise InvalidInput(
        f"{tag} is not out on loan {loan.id}", {field: [f"{tag} is not on this loan, or has already left it."]}
    )


def _leave_kit(asset: Asset, actor: Actor, loan_id: int, note: str | None) -> None:
    """An item leaving its loan leaves its kit too; a kit with nothing left on loan is emptied."""
    kit = asset.kit
    if kit is None:
        return
    asset.kit = None
    if not [a for a in kit.items if a.id != asset.id and a.kit_id == kit.id]:
        kit_before = Snapshot(kit)
        kit.apply(KitAction.EMPTIED)
        db.session.add(kit_before.event("emptied", actor, note=note, details={"loan": loan_id}))


def swap(
    loan_id: int, actor: Actor, *, out: str, replacement: str, location: str, reason: str, today: date
) -> LoanSwap:
    """In one transaction: the faulty item `out` goes to quarantine at `location`, and `replacement`
    (in stock, of the same type) goes on the same loan in its place; a SIM's data plan moves with it."""
    # A scanner reading a label types its URL: take the tag from it.
    out_tag, in_tag = checked_tag(tag_in_code(out), "out"), checked_tag(tag_in_code(replacement), "in")
    if out_tag == in_tag:
        raise InvalidInput("An item cannot replace itself", {"in": ["Give another item than the one going out."]})
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say what is wrong with the item going out", {"reason": ["A reason is required."]})
    loan = _locked_loan(loan_id, actor)
    destination = find_location(location, what="take items back")
    # Both locked together, in id order: two swaps reaching for one replacement take turns, and the
    # second finds it on loan already.
    locked = {a.tag: a for a in lock_assets([out_tag, in_tag], field="in")}
    faulty, fresh = locked[out_tag], locked[in_tag]
    item = _outstanding_item(loan, out_tag, "out")
    if fresh.type != faulty.type:
        raise InvalidInput(
            f"{fresh.describe()} cannot replace {faulty.describe()}: a swap is for an item of the same type",
            {"in": [f"Give a {faulty.type.value}."]},
        )
    faulty.check(AssetAction.SWAP_OUT)
    fresh.check(AssetAction.SWAP_IN)
    if fresh.programme_id is not None and fresh.programme_id != loan.programme_id:
        assert fresh.programme is not None  # its programme_id is set
        raise Conflict(
            f"{fresh.describe()} belongs to programme {fresh.programme.code}, "
            f"and loan {loan.id} is on {loan.programme.code}"
        )

    details = {"loan": loan.id, "out": faulty.tag, "in": fresh.tag}
    out_before, in_before = Snapshot(faulty), Snapshot(fresh)
    kit = faulty.kit
    faulty.apply(AssetAction.SWAP_OUT)
    faulty.location = destination
    _leave_kit(faulty, actor, loan.id, reason)
    item.returned_on = today
    item.closed_as = ItemClosure.SWAPPED
    item.return_location_id = destination.id
    fresh.apply(AssetAction.SWAP_IN)
    if kit is not None and kit.status == KitStatus.ON_LOAN:  # the replacement takes its place in the kit
        fresh.kit = kit
    loan.items.append(LoanItem(asset_id=fresh.id, asset_type=fresh.type, kit_id=fresh.kit.id if fresh.kit else None))
    db.session.add(out_before.event("swap_out", actor, note=reason, details=details))
    db.session.add(in_before.event("swap_in", actor, note=reason, details=details))
    if faulty.type == AssetType.SIM:
        data_plans.move_to_sim(loan.id, faulty, fresh)
    record = LoanSwap(
        loan_id=loan.id,
        out_asset_id=faulty.id,
        in_asset_id=fresh.id,
        swapped_on=today,
        location_id=destination.id,
        reason=reason,
        by_id=actor.id,
    )
    loan.swaps.append(record)
    db.session.flush()
    return record


@dataclass(frozen=True)
class LossReport:
    loan: Loan
    sims_to_bar: list[SimToBar]


def check_loss_report(
    *, items: list[str], reason: str, reported_on: date | None, today: date, issued_on: date
) -> tuple[RetireReason, date, list[str]]:
    """A loss report's own checks, before anything is read: the reason, the date, the tags. The page asks
    these before it shows its confirmation."""
    try:
        why = RetireReason(reason)
    except ValueError:
        why = None
    if why not in LOSS_REASONS:
        raise InvalidInput("Say whether they were lost or stolen", {"reason": ["One of: lost, stolen."]})
    assert why is not None  # one of LOSS_REASONS
    day = reported_on or today
    if day > today:
        raise InvalidInput(
            f"The report date {day.isoformat()} is in the future",
            {"reported_on": [f"On or before today ({today.isoformat()})."]},
        )
    if day < issued_on:
        raise InvalidInput(
            f"The report date {day.isoformat()} is before the loan was issued",
            {"reported_on": [f"On or after {issued_on.isoformat()}."]},
        )
    if not items:
        raise InvalidInput("Say which items were lost or stolen", {"items": ["At least one tag."]})
    tags = [checked_tag(t, "items") for t in items]
    return why, day, tags


def report_lost(
    loan_id: int, actor: Actor, *, items: list[str], reason: str, reported_on: date | None, today: date
) -> LossReport:
    """Items lost or stolen while on loan: retired with that reason, their loan items closed, a SIM's
    data plan ended (so no more reminders about it), and each SIM put on the warehouse's list to bar."""
    loan = _locked_loan(loan_id, actor)
    why, day, tags = check_loss_report(
        items=items, reason=reason, reported_on=reported_on, today=today, issued_on=loan.issued_on
    )
    assets = lock_assets(tags, field="items")
    loan_items = [_outstanding_item(loan, asset.tag, "items") for asset in assets]
    for asset in assets:
        asset.check(AssetAction.REPORT_LOST)
    to_bar = []
    for asset, item in zip(assets, loan_items, strict=True):
        before = Snapshot(asset)
        asset.apply(AssetAction.REPORT_LOST)
        _leave_kit(asset, actor, loan.id, None)
        item.returned_on = day
        item.closed_as = ItemClosure(why.value)
        db.session.add(
            before.event(
                "retire", actor, details={"reason": why.value, "loan": loan.id, "reported_on": day.isoformat()}
            )
        )
        if asset.type == AssetType.SIM:
            data_plans.end_for_sim(loan.id, asset, day)
            bar = SimToBar(asset_id=asset.id, loan_id=loan.id, reason=why, reported_on=day)
            db.session.add(bar)
            to_bar.append(bar)
    db.session.flush()
    return LossReport(loan, to_bar)


def leaving_tags(case: CaseFile) -> dict[str, set[str]]:
    """Which items on the case file may be swapped out or reported lost now, by the rules in RULES: the
    participant's page offers exactly what the services accept."""
    out = [i for loan in case["loans"] for i in loan["items"] if i["returned_on"] is None]

    def able(action: AssetAction) -> set[str]:
        return {i["tag"] for i in out if allows(action, AssetStatus(i["status"]), in_kit=False)}

    return {"swap": able(AssetAction.SWAP_OUT), "lost": able(AssetAction.REPORT_LOST)}


# --- SIMs to bar ----------------------------------------------------------------------------------


def sims_to_bar_query() -> sa.Select:
    """SIMs reported lost or stolen that nobody has marked barred yet, oldest report first."""
    return sa.select(SimToBar).where(SimToBar.barred_at.is_(None)).order_by(SimToBar.reported_on, SimToBar.id)


def mark_barred(tag: str, actor: Actor) -> SimToBar:
    """The network has barred this SIM: it leaves the list. Said once; a second time is refused."""
    tag = checked_tag(tag)
    asset = db.session.scalar(sa.select(Asset).where(Asset.tag == tag))
    if asset is None:
        raise NotFound(f"No asset has tag {tag}")
    bar = db.session.scalar(sa.select(SimToBar).where(SimToBar.asset_id == asset.id))
    if bar is None:
        raise Conflict(f"{asset.describe()} is not on the list of SIMs to bar: only lost or stolen SIMs are")
    # A conditional update: two people marking it at the same moment make one change and one refusal.
    now = utcnow()
    marked = db.session.execute(
        sa.update(SimToBar)
        .where(SimToBar.id == bar.id, SimToBar.barred_at.is_(None))
        .values(barred_at=now, barred_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if cast(sa.CursorResult, marked).rowcount != 1:
        raise Conflict(f"{asset.describe()} is already marked barred")
    db.session.refresh(bar)
    before = Snapshot(asset)
    db.session.add(before.event("barred", actor, details={"loan": bar.loan_id}))
    db.session.flush()
    return bar


# --- return dates ---------------------------------------------------------------------------------


def still_out() -> sa.ColumnElement[bool]:
    """A condition on Loan: something of it is still with the participant (the loan is open)."""
    return sa.exists().where(LoanItem.loan_id == Loan.id, LoanItem.returned_on.is_(None))


def overdue_condition(today: date) -> sa.ColumnElement[bool]:
    """A condition on Loan: past its return date with something still out (Loan.overdue_days > 0)."""
    return sa.and_(Loan.due_on.is_not(None), Loan.due_on < today, still_out())


def overdue_query(viewer: Actor, today: date) -> sa.Select:
    """Loans on the viewer's caseload past their return date with something still out, most overdue first."""
    return (
        sa.select(Loan)
        .join(Participant, Participant.id == Loan.participant_id)
        .where(overdue_condition(today), in_caseload(Participant.advocate_id, viewer))
        .order_by(Loan.due_on, Loan.id)
    )


class OverdueLoan(TypedDict):
    """schemas.loans.OverdueLoanSchema: the participant by id and programme reference, never by name."""

    id: int
    participant: int
    reference: str
    issued_on: str
    due_on: str
    days_overdue: int
    items: list[str]


def overdue_summary(loan: Loan, today: date) -> OverdueLoan:
    assert loan.due_on is not None  # overdue_query finds only loans with a return date
    return {
        "id": loan.id,
        "participant": loan.participant_id,
        "reference": loan.participant.reference,
        "issued_on": loan.issued_on.isoformat(),
        "due_on": loan.due_on.isoformat(),
        "days_overdue": loan.overdue_days(today),
        "items": [item.asset.tag for item in loan.outstanding()],
    }
