"""Issuing kit to a participant: check everything first, then one transaction."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TypedDict, cast

import sqlalchemy as sa

from ..dates import uk_date
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import (
    Actor,
    Assessment,
    Asset,
    AssetAction,
    AssetStatus,
    AssetType,
    DataPlan,
    Kit,
    KitAction,
    Loan,
    LoanItem,
    NotificationKind,
    OwnershipRule,
    Programme,
    Snapshot,
    Transfer,
)
from ..tags import TagError, check, normalise
from ..visibility import sees_participant
from . import agreements, copies, idempotency, signatures
from .assets import lock_assets
from .ownership import TransferSummary, transfer_on_loan, transfer_summary
from .participants import PlanSummary, get_participant, plan_summary
from .swap_record import SwapSummary, swap_summary

NO_LOAN = "No loan with this id"  # someone else's loan answers the same (see visibility.sees_participant)

MAX_ITEMS = 50


request_hash = idempotency.request_hash


def issue(
    *,
    participant_id: int,
    items: list[str],
    agreement_accepted: bool,
    issued_on: date,
    actor: Actor,
    today: date,
    idempotency_key: str | None = None,
    body_hash: str | None = None,
    signature: dict | None = None,
    agreement_version: int | None = None,
) -> tuple[LoanReceipt, bool]:
    """Issue assets and kits to a participant. Returns (receipt, replayed): a retry with the same
    Idempotency-Key gets the first receipt back and issues nothing. The loan records the current
    version of the programme's agreement (`agreement_version`, when given, is the one the participant
    was shown, and must still be current) and the participant's signature ({"method": "drawn", "svg"}
    or {"method": "verbal", "note"}), which a programme may require."""
    if not agreement_accepted:
        raise InvalidInput(
            "The participant must accept the loan agreement before anything is issued",
            {"agreement_accepted": ["Must be true."]},
        )
    if issued_on > today:
        raise InvalidInput(
            f"The issue date {issued_on.isoformat()} is in the future",
            {"issued_on": [f"Must be {today.isoformat()} or earlier."]},
        )
    if not items:
        raise InvalidInput("Scan at least one item to issue", {"items": ["At least one tag."]})
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"At most {MAX_ITEMS} items in one loan", {"items": [f"At most {MAX_ITEMS}."]})
    signed = signatures.check(signature, required=False, what="a loan")  # the programme's rule is checked below
    claim = None
    if idempotency_key:
        claim, replay = idempotency.claim(actor, "loans", idempotency_key, body_hash or "")
        if replay is not None:
            return cast(LoanReceipt, replay), True  # stored by this function, below
    participant = get_participant(participant_id, actor, for_update=True)
    if participant.erased:
        raise Conflict(f"Participant {participant.id}'s record has been erased: nothing can be issued to them")
    programme = participant.programme
    programme.check_takes_new("new loans")
    if programme.signature_required and signed is None:
        signatures.check(None, required=True, what="a loan")  # refuses, saying what is needed
    agreement = agreements.current(programme)
    agreements.check_shown(agreement, agreement_version)

    assets, kits, refusals = _lock_items(items)
    for asset in assets:
        try:
            if asset.status == AssetStatus.IN_KIT and asset.kit not in kits:
                assert asset.kit is not None  # an item in a kit has one
                raise Conflict(f"{asset.describe()} is in kit {asset.kit.tag}: issue the kit, or take it apart first")
            if asset.kit not in kits or asset.kit is None:
                asset.check(AssetAction.ISSUE)
            elif asset.kit.tag not in refusals:  # the kit's own refusal says it once for all its items
                asset.check(AssetAction.ISSUE_WITH_KIT)
            if asset.programme_id is not None and asset.programme_id != programme.id:
                assert asset.programme is not None  # its programme_id is set
                raise Conflict(
                    f"{asset.describe()} belongs to programme {asset.programme.code}, "
                    f"and participant {participant.id} is on {programme.code}"
                )
        except Conflict as refused:
            refusals[asset.tag] = refused.message
    if refusals:
        raise _refusal(refusals, len(items), participant.id, assets, kits)

    # Empty collections from the start: a new loan has nothing to load back from the database.
    loan = Loan(
        participant_id=participant.id,
        programme_id=programme.id,
        issued_on=issued_on,
        issued_by_id=actor.id,
        agreement=agreement,
        signature=signatures.record(signed, participant.id, actor, issued_on),
        document_key=secrets.token_hex(12),
        due_on=due_on(programme, issued_on),
        items=[],
        data_plans=[],
        swaps=[],
    )
    db.session.add(loan)
    db.session.flush()
    for asset in assets:
        kit = asset.kit
        before = Snapshot(asset)
        asset.apply(AssetAction.ISSUE_WITH_KIT if kit is not None else AssetAction.ISSUE)
        loan.items.append(LoanItem(asset_id=asset.id, asset_type=asset.type, kit_id=kit.id if kit else None))
        db.session.add(before.event("issue", actor, details={"loan": loan.id}))
        if asset.type == AssetType.SIM:
            plan = DataPlan(loan=loan, participant_id=participant.id, sim_id=asset.id, starts_on=issued_on)
            plan.set_months(programme.connectivity_months)
            db.session.add(plan)
    for kit in kits:
        kit_before = Snapshot(kit)
        kit.apply(KitAction.ISSUE)
        db.session.add(kit_before.event("issue", actor, details={"loan": loan.id}))
    copies.queue(NotificationKind.HANDOVER, participant, today, loan_id=loan.id)
    db.session.flush()

    transfer = None
    already_passed = db.session.scalar(
        sa.select(Assessment.id)
        .where(Assessment.participant_id == participant.id, Assessment.passed.is_(True))
        .limit(1)
    )
    if programme.ownership_rule == OwnershipRule.ON_ISSUE or (
        programme.ownership_rule == OwnershipRule.ON_ASSESSMENT_PASS and already_passed is not None
    ):
        # Theirs on issue: the signature for the handover is the one for the transfer too.
        transfer = transfer_on_loan(participant, actor, issued_on, loan_id=loan.id, signature_id=loan.signature_id)

    receipt = loan_receipt(loan, today, transfer)
    idempotency.answered(claim, dict(receipt))
    db.session.flush()
    return receipt, False


def _refusal(refusals: dict[str, str], size: int, participant_id: int, assets: list[Asset], kits: list[Kit]):
    """One refusal naming every item that cannot be issued (all at once, not the first only). When every
    one of them is already on loan to this same participant, say so plainly: a retry after a lost answer
    finds the first attempt worked, and there is nothing more to do."""
    on_loan = {a.id: a.tag for a in assets if a.status == AssetStatus.ON_LOAN}
    refused_ids = [
        a.id for a in assets if a.tag in refusals or (a.kit is not None and a.kit.tag in refusals and a.kit in kits)
    ]
    if refused_ids and all(i in on_loan for i in refused_ids):
        lent = db.session.execute(
            sa.select(LoanItem.asset_id, Loan.issued_on)
            .join(Loan, LoanItem.loan_id == Loan.id)
            .where(
                LoanItem.asset_id.in_(refused_ids),
                LoanItem.returned_on.is_(None),
                Loan.participant_id == participant_id,
            )
        ).all()
        if {asset_id for asset_id, _ in lent} == set(refused_ids):
            first = min(issued for _, issued in lent)
            named = ", ".join(refusals)  # the tags, so a refusal always says which
            what = (
                f"This kit ({named}) was"
                if kits and len(refusals) == 1 and next(iter(refusals)) in {k.tag for k in kits}
                else (f"This item ({named}) was" if len(refusals) == 1 else f"These items ({named}) were")
            )
            return Conflict(
                f"{what} already issued to this participant on {uk_date(first)}: nothing more to do",
                [{"item": tag, "message": "Already on loan to this participant"} for tag in refusals],
            )
    if len(refusals) == 1:
        ((tag, message),) = refusals.items()
        return Conflict(message, [{"item": tag, "message": message}])
    return Conflict(
        f"{len(refusals)} of {size} items cannot be issued; nothing was issued",
        [{"item": tag, "message": message} for tag, message in refusals.items()],
    )


def _lock_items(codes: list[str]) -> tuple[list[Asset], list[Kit], dict[str, str]]:
    """The assets to issue: those named, and every item of each kit named, and why each kit that cannot
    be issued now cannot (by tag). Kits first, then all assets in id order, so concurrent issues take
    their locks in the same order. Every mistyped tag is named at once."""
    tags, mistyped = [], []
    for code in codes:
        tag = normalise(code)
        try:
            tags.append(check(tag))
        except TagError as exc:
            mistyped.append(f"{code}: {exc}" if code not in str(exc) else str(exc))
    if mistyped:
        count = f"{len(mistyped)} tags are" if len(mistyped) > 1 else "A tag is"
        raise InvalidInput(
            mistyped[0] if len(mistyped) == 1 else f"{count} not right: check each one", {"items": mistyped}
        )
    if len(set(tags)) != len(tags):
        raise InvalidInput("A tag is listed more than once", {"items": ["Each tag may appear once."]})
    kits = list(
        db.session.scalars(
            sa.select(Kit)
            .where(Kit.tag.in_(tags))
            .order_by(Kit.id)
            .with_for_update(of=Kit)
            .execution_options(populate_existing=True)
        )
    )
    refusals: dict[str, str] = {}
    for kit in kits:
        try:
            kit.check(KitAction.ISSUE)
        except Conflict as refused:
            refusals[kit.tag] = refused.message
    kit_tags = {k.tag for k in kits}
    asset_tags = [t for t in tags if t not in kit_tags]
    kit_item_tags = [a.tag for k in kits for a in k.items]
    if not kit_item_tags and not asset_tags and not refusals:  # a refused kit is found: its refusal says why
        raise NotFound("None of the tags is an asset or kit")
    assets = lock_assets(asset_tags + kit_item_tags, field="items") if (asset_tags or kit_item_tags) else []
    return assets, kits, refusals


class LoanReceipt(TypedDict):
    """What issuing and returns answer (schemas.loans.LoanSchema), kept as JSON for a replayed issue."""

    id: int
    participant: int
    items: list[str]
    kits: list[str]
    issued_on: str
    agreement: AgreementSummary
    signature: str | None  # how they signed: "drawn", "verbal", or None
    data_plans: list[PlanSummary]
    transfer: TransferSummary | None
    due_on: str | None
    swaps: list[SwapSummary]


def due_on(programme: Programme, issued_on: date) -> date | None:
    """A loan_only programme's loans come back after its loan_weeks; others have no return date."""
    if programme.ownership_rule != OwnershipRule.LOAN_ONLY or not programme.loan_weeks:
        return None
    return issued_on + timedelta(weeks=programme.loan_weeks)


class AgreementSummary(TypedDict):
    version: int
    sha256: str


def loan_receipt(loan: Loan, today: date, transfer: Transfer | None = None) -> LoanReceipt:
    """What issuing answers: the loan, its items, and a data plan for each SIM."""
    return {
        "id": loan.id,
        "participant": loan.participant_id,
        "items": [item.asset.tag for item in loan.items],
        "kits": sorted({item.kit.tag for item in loan.items if item.kit is not None}),
        "issued_on": loan.issued_on.isoformat(),
        "agreement": {"version": loan.agreement.version, "sha256": loan.agreement.sha256},
        "signature": loan.signature.method.value if loan.signature is not None else None,
        "data_plans": [plan_summary(p, today) for p in loan.data_plans],
        "transfer": transfer_summary(transfer),
        "due_on": loan.due_on.isoformat() if loan.due_on else None,
        "swaps": [swap_summary(s) for s in loan.swaps],
    }


def get_loan(loan_id: int, viewer: Actor) -> Loan:
    loan = db.session.get(Loan, loan_id)
    if loan is None or not sees_participant(loan.participant_id, viewer):  # the caller's caseload only
        raise NotFound(NO_LOAN)
    return loan
