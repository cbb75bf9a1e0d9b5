"""Subject access and erasure: everything held about one participant, and forgetting who they are.

Erasure removes the name and contact details; the programme's pseudonymous reference, the area and
the asset history stay, so stock and outcome figures remain true. The personal-data access log stays
too: its rows name no one, and keep pointing at the participant's (now nameless) row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict

import sqlalchemy as sa

from ..dates import add_months
from ..extensions import db
from ..models import (
    Actor,
    Assessment,
    Asset,
    AssetStatus,
    DataPlan,
    LastInvolved,
    Loan,
    LoanItem,
    Participant,
    Signature,
    Transfer,
    utcnow,
)
from . import handovers
from .access_log import AccessRecord, for_participant
from .participants import CaseFile, casefile, get_participant

PERSONAL_FIELDS = ("name", "phone", "email")


class Document(TypedDict):
    """A file we hold or make about the participant, and where to download it."""

    kind: str  # "handover_record" or "ownership_certificate"
    loan: int | None
    transfer: int | None
    href: str


class SubjectAccessExport(CaseFile):
    access_log: list[AccessRecord]
    documents: list[Document]


def export(participant_id: int, viewer: Actor, today: date) -> SubjectAccessExport:
    """Everything held about the participant: their case file, personal data included, who has
    opened, listed, exported or changed it (the access log), and their documents."""
    participant = get_participant(participant_id, viewer)
    return {
        **casefile(participant, today),
        "access_log": for_participant(participant.id),
        "documents": documents(participant.id),
    }


def documents(participant_id: int) -> list[Document]:
    loans = db.session.scalars(sa.select(Loan.id).where(Loan.participant_id == participant_id).order_by(Loan.id))
    transfers = db.session.scalars(
        sa.select(Transfer.id).where(Transfer.participant_id == participant_id).order_by(Transfer.id)
    )
    handover: list[Document] = [
        {"kind": "handover_record", "loan": i, "transfer": None, "href": f"/api/v1/loans/{i}/handover"} for i in loans
    ]
    certificates: list[Document] = [
        {"kind": "ownership_certificate", "loan": None, "transfer": i, "href": f"/api/v1/transfers/{i}/certificate"}
        for i in transfers
    ]
    return handover + certificates


def erase(participant_id: int, viewer: Actor) -> Participant:
    participant = get_participant(participant_id, viewer, for_update=True)
    if participant.erased_at is None:
        _forget(sa.select(Participant.id).where(Participant.id == participant.id))
        db.session.refresh(participant)
    return participant


def _forget(ids: sa.Select) -> list[int]:
    """Erase those of `ids` not erased yet; answers whom it erased (for the access log)."""
    erased = db.session.scalars(
        sa.update(Participant)
        .where(Participant.id.in_(ids), Participant.erased_at.is_(None))
        .values(name=None, phone=None, email=None, contact_consent=False, erased_at=utcnow())
        .returning(Participant.id)
        .execution_options(synchronize_session=False)
    )
    erased_ids = sorted(erased)
    if erased_ids:
        # Their signatures are personal data too: the drawing and the note go, the fact of signing stays.
        db.session.execute(
            sa.update(Signature)
            .where(Signature.participant_id.in_(erased_ids))
            .values(svg=None, note=None, erased=True)
            .execution_options(synchronize_session=False)
        )
        # The kept handover records name them and show their signature. Removing a file before the
        # commit is safe: should this transaction roll back, the next download makes it again.
        handovers.forget_for(erased_ids)
    return erased_ids


def _just_expired(cutoff: date, started_before: datetime, days: int) -> sa.CompoundSelect:
    """Participants whose last day lies in the `days` before the cut-off: the only ones whose involvement
    can have ended since the last run. Their last dated day is kept (models/involvement.py: none while
    they still hold an item); one who never had a loan, or whose rows all end before the cut-off, may
    still have been written (created_at) in those days. Both are ranges of an index holding only those
    who may be due, so a run reads the night's few people, not everyone with any row dated in the
    look-back."""
    since = cutoff - timedelta(days=days)
    last = LastInvolved.day
    return sa.union(
        sa.select(LastInvolved.participant_id).where(last >= since, last < cutoff),
        sa.select(Participant.id)
        .outerjoin(LastInvolved, LastInvolved.participant_id == Participant.id)
        .where(
            Participant.created_at >= started_before - timedelta(days=days),
            Participant.created_at < started_before,
            # No last day: none yet (no loan ever), or not while an item is still out (a loan, then).
            sa.or_(
                last < cutoff,
                sa.and_(last.is_(None), ~sa.exists().where(Loan.participant_id == Participant.id)),
            ),
        ),
    )


def anonymise_expired(today: date, retention_months: int, *, catch_up_days: int | None = None) -> list[int]:
    """Erase everyone whose involvement ended more than `retention_months` before `today`: nothing
    still on loan, and no loan, return, assessment, transfer or data plan on or after the cut-off.
    One set-based statement, so it is safe to run as often as a scheduler likes. With `catch_up_days`
    (the nightly job: the days since its last good run) only those whose last date lies in that many
    days before the cut-off are looked at, by index; without (the command line, a first run) everyone.
    Answers whom it erased, for the access log."""
    cutoff = add_months(today, -retention_months)
    p = Participant.id
    recent = sa.or_(
        sa.exists().where(Loan.participant_id == p, Loan.issued_on >= cutoff),
        sa.exists().where(
            LoanItem.loan_id == Loan.id,
            Loan.participant_id == p,
            sa.or_(
                LoanItem.returned_on >= cutoff,
                sa.and_(
                    LoanItem.returned_on.is_(None),
                    sa.exists().where(Asset.id == LoanItem.asset_id, Asset.status == AssetStatus.ON_LOAN),
                ),
            ),
        ),
        sa.exists().where(Assessment.participant_id == p, Assessment.taken_on >= cutoff),
        sa.exists().where(Transfer.participant_id == p, Transfer.transferred_on >= cutoff),
        sa.exists().where(
            DataPlan.participant_id == p, sa.func.coalesce(DataPlan.ended_on, DataPlan.ends_on) >= cutoff
        ),
    )
    started_before = datetime.combine(cutoff, time.min, tzinfo=UTC)
    due = sa.select(Participant.id).where(
        Participant.erased_at.is_(None), Participant.created_at < started_before, ~recent
    )
    if catch_up_days is not None:
        due = due.where(Participant.id.in_(_just_expired(cutoff, started_before, catch_up_days)))
    return _forget(due)
