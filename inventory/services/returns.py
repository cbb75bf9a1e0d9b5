"""Returns: items come back from a participant into quarantine, to be checked before re-issue."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import (
    Actor,
    Asset,
    AssetAction,
    DataPlan,
    ItemClosure,
    KitAction,
    Loan,
    LoanItem,
    Location,
    Role,
    Snapshot,
)
from ..visibility import at_own_hubs, sees_participant
from . import handovers, signatures
from .assets import checked_tag, lock_assets
from .issuing import NO_LOAN
from .reference import find_location


def return_items(
    loan_id: int,
    actor: Actor,
    *,
    location: str,
    today: date,
    items: list[str] | None = None,
    note: str | None = None,
    signature: dict | None = None,
) -> Loan:
    """Some or all (items=None) of a loan's outstanding items back to `location`, into quarantine,
    with the participant's signature for the return when they give one (shown on the handover record)."""
    signed = signatures.check(signature, required=False, what="a return")
    loan = db.session.get(Loan, loan_id)
    # Advocates take returns for their own caseload; someone else's loan answers as a missing one.
    # Partners never address a loan (its id leads to a person): they return an item by its tag.
    if (
        loan is None
        or actor.role == Role.PARTNER
        or (actor.role == Role.ADVOCATE and not sees_participant(loan.participant_id, actor))
    ):
        raise NotFound(NO_LOAN)
    return _return(loan, actor, location=location, today=today, items=items, note=note, signed=signed)


def _return(
    loan: Loan,
    actor: Actor,
    *,
    location: str,
    today: date,
    items: list[str] | None,
    note: str | None,
    signed: dict | None,
) -> Loan:
    loan_id = loan.id
    destination = return_place(location, actor)
    outstanding = {item.asset.tag: item for item in loan.items if item.returned_on is None}
    wanted = [checked_tag(t, "items") for t in items] if items else list(outstanding)
    if not wanted:
        raise Conflict(f"Everything on loan {loan_id} has already come back")
    strangers = [t for t in wanted if t not in outstanding]
    if strangers:
        raise InvalidInput(
            f"{', '.join(strangers)} not outstanding on loan {loan_id}",
            {"items": [f"{t} is not on this loan, or has already come back." for t in strangers]},
        )
    signed_for = signatures.record(signed, loan.participant_id, actor, today)
    for asset in lock_assets(wanted):
        _take_back(outstanding[asset.tag], asset, destination, actor, today, note)
        outstanding[asset.tag].return_signature = signed_for
    db.session.flush()
    handovers.forget(loan)  # the next copy of the handover record lists the return
    return loan


def return_asset(
    tag: str, actor: Actor, *, location: str, today: date, note: str | None = None, signature: dict | None = None
) -> Loan:
    """A return by scanning one item: find its open loan. Partners may do this at their own hubs (and
    learn only that the item was on loan: the answer is narrowed for them, schemas.loans)."""
    signed = signatures.check(signature, required=False, what="a return")
    tag = checked_tag(tag)
    return_place(location, actor)  # a partner's other-organisation location is refused before anything is said
    loan_id = db.session.scalar(
        sa.select(LoanItem.loan_id)
        .join(Asset, Asset.id == LoanItem.asset_id)
        .where(Asset.tag == tag, LoanItem.returned_on.is_(None))
    )
    if loan_id is None:
        found = db.session.execute(sa.select(Asset.status, Asset.location_id).where(Asset.tag == tag)).one_or_none()
        if actor.role == Role.PARTNER and (found is None or not at_own_hubs(found.location_id, actor)):
            raise NotFound(f"{tag} is not at your hubs")  # never whether it exists, nor where it is
        if found is None:
            raise NotFound(f"No asset has tag {tag}")
        status = found.status
        raise Conflict(f"{tag} is {status.value}, so it cannot be returned: it is not on loan")
    loan = db.session.get(Loan, loan_id)
    if loan is None or (actor.role == Role.ADVOCATE and not sees_participant(loan.participant_id, actor)):
        raise NotFound(NO_LOAN)
    return _return(loan, actor, location=location, today=today, items=[tag], note=note, signed=signed)


def return_place(location: str, actor: Actor) -> Location:
    """Where a return is taken: any location, or for a partner one of their own organisation's."""
    destination = find_location(location, what="take returns")
    if actor.role == Role.PARTNER and destination.organisation_id != actor.organisation_id:
        raise Forbidden(
            f"{destination.code} is not one of your hubs: partners take returns at their own hubs",
            {"location": ["Choose one of your own hubs."]},
        )
    return destination


def _take_back(item: LoanItem, asset: Asset, destination, actor: Actor, today: date, note: str | None) -> None:
    before = Snapshot(asset)
    asset.apply(AssetAction.RETURN)  # owned assets refuse here: they are the participant's
    asset.location = destination
    kit = asset.kit
    if kit is not None:
        asset.kit = None  # a returned item is checked on its own before it goes into any kit again
    item.returned_on = today
    item.closed_as = ItemClosure.RETURNED
    item.return_location_id = destination.id
    db.session.add(before.event("return", actor, note=note, details={"loan": item.loan_id}))
    plan = db.session.scalar(sa.select(DataPlan).where(DataPlan.loan_id == item.loan_id, DataPlan.sim_id == asset.id))
    if plan is not None and plan.ended_on is None:
        plan.ended_on = today  # the free data stops when the SIM comes back
    if kit is not None and not [a for a in kit.items if a.id != asset.id and a.kit_id == kit.id]:
        kit_before = Snapshot(kit)
        kit.apply(KitAction.EMPTIED)
        db.session.add(kit_before.event("return", actor, note=note, details={"loan": item.loan_id}))
