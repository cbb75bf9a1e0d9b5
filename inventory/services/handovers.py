"""The handover record: the PDF of what a participant received and agreed to, kept in file storage with
the loan (storage.py), downloadable by their advocate and admins, erased with their personal data.

The record is made from rows that do not change (the loan's items, the agreement version, the
signature), so it is written to storage the first time it is asked for, and made again if its file has
gone: a return with its signature, or erasure, removes the file, and the next copy says so."""

from __future__ import annotations

import sqlalchemy as sa

from .. import pdf
from ..extensions import db
from ..models import Loan, User
from ..pdf import signing
from ..storage import storage


def key(loan: Loan) -> str:
    return _key(loan.document_key)


def _key(document_key: str) -> str:
    return f"loans/{document_key}/handover.pdf"


def handover_pdf(loan: Loan) -> bytes:
    stored = storage().get(key(loan))
    if stored is not None:
        return stored
    document = signing.sign(_render(loan), reason=f"Handover record for loan {loan.id}")
    storage().put(key(loan), document)
    return document


def _render(loan: Loan) -> bytes:
    participant = loan.participant
    holder = participant.name if participant.name else f"participant {participant.reference}"
    advocate = db.session.get(User, loan.issued_by_id)
    return pdf.render(
        "handover.html",
        loan=loan,
        holder=holder,
        advocate=(advocate.name or advocate.email) if advocate is not None else "",
        author=loan.programme.name,
        svg_data_url=pdf.svg_data_url,
    )


def forget(loan: Loan) -> None:
    """Remove the kept file: the next request makes it again from the rows as they are now."""
    storage().delete(key(loan))


def forget_for(participant_ids: list[int]) -> None:
    """Remove the handover records of these participants' loans (erasure)."""
    if not participant_ids:
        return
    # The keys alone: a loan loaded whole brings its items, plans and swaps (selectin), which erasing a
    # night's worth of people at national scale spent most of its time on.
    for document_key in db.session.scalars(
        sa.select(Loan.document_key).where(Loan.participant_id.in_(participant_ids))
    ):
        storage().delete(_key(document_key))
