"""Ownership transfer: every asset on loan to a participant under a programme becomes theirs, at once."""

from __future__ import annotations

import secrets
from datetime import date
from typing import TypedDict

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Actor,
    Asset,
    AssetAction,
    AssetStatus,
    KitAction,
    Loan,
    LoanItem,
    NotificationKind,
    Participant,
    Snapshot,
    Transfer,
    TransferItem,
)
from . import copies


def transfer_on_loan(
    participant: Participant,
    actor: Actor,
    on: date,
    *,
    assessment_id: int | None = None,
    loan_id: int | None = None,
    signature_id: int | None = None,
) -> Transfer | None:
    """Transfer what is on loan to the participant under their programme (or only `loan_id`'s items).
    Part of the caller's transaction; returns None when nothing is on loan."""
    query = (
        sa.select(Asset)
        .join(LoanItem, LoanItem.asset_id == Asset.id)
        .join(Loan, Loan.id == LoanItem.loan_id)
        .where(
            Loan.participant_id == participant.id,
            Loan.programme_id == participant.programme_id,
            LoanItem.returned_on.is_(None),
            Asset.status == AssetStatus.ON_LOAN,
        )
        .order_by(Asset.id)
        .with_for_update(of=Asset)
        .execution_options(populate_existing=True)
    )
    if loan_id is not None:
        query = query.where(Loan.id == loan_id)
    assets = list(db.session.scalars(query))
    # A concurrent transfer may have owned them while we waited for the locks.
    assets = [a for a in assets if a.status == AssetStatus.ON_LOAN]
    if not assets:
        return None
    transfer = Transfer(
        verify_code=new_verify_code(),
        signature_id=signature_id,
        participant_id=participant.id,
        programme_id=participant.programme_id,
        transferred_on=on,
        assessment_id=assessment_id,
        items=[TransferItem(asset_id=a.id) for a in assets],
    )
    db.session.add(transfer)
    db.session.flush()
    copies.queue(NotificationKind.CERTIFICATE, participant, on, transfer_id=transfer.id)
    kits = {}
    for asset in assets:
        before = Snapshot(asset)
        asset.apply(AssetAction.TRANSFER)
        if asset.kit is not None:
            kits[asset.kit.id] = asset.kit
        db.session.add(before.event("transfer", actor, details={"transfer": transfer.id}))
    for kit in kits.values():
        if all(item.status == AssetStatus.OWNED for item in kit.items):
            kit_before = Snapshot(kit)
            kit.apply(KitAction.TRANSFER)
            db.session.add(kit_before.event("transfer", actor, details={"transfer": transfer.id}))
    return transfer


VERIFY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: it may be read aloud or typed
VERIFY_LENGTH = 16  # 31**16, about 2**79: nobody finds a certificate by guessing


def new_verify_code() -> str:
    """What a certificate's QR code carries (PUBLIC_BASE_URL/verify/CODE): random, and nothing personal."""
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(VERIFY_LENGTH))


class TransferSummary(TypedDict):
    """A transfer as the API answers it (schemas.loans.TransferSchema); dates as ISO 8601."""

    id: int
    assets: list[str]
    transferred_on: str


def transfer_summary(transfer: Transfer | None) -> TransferSummary | None:
    if transfer is None:
        return None
    return {
        "id": transfer.id,
        "assets": [item.asset.tag for item in transfer.items],
        "transferred_on": transfer.transferred_on.isoformat(),
    }
