"""The ownership certificate: one A4 page the participant can keep, signed by the service, with a QR
code of a public page (/verify/CODE) where anyone can check that it is genuine."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app

from .. import pdf
from ..errors import NotFound
from ..extensions import db
from ..models import Actor, Transfer
from ..pdf import signing
from ..visibility import sees_participant
from .ownership import VERIFY_ALPHABET, VERIFY_LENGTH

NO_TRANSFER = "No transfer with this id"  # someone else's answers the same
_CODE = re.compile(f"^[{VERIFY_ALPHABET}]{{{VERIFY_LENGTH}}}$")


def get_transfer(transfer_id: int, viewer: Actor) -> Transfer:
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or not sees_participant(transfer.participant_id, viewer):  # the caller's caseload only
        raise NotFound(NO_TRANSFER)
    return transfer


def verify_url(transfer: Transfer) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/verify/{transfer.verify_code}"


def certificate_pdf(transfer: Transfer) -> bytes:
    """The programme, the date, and each item's type, make, model and serial. The participant's
    name is printed for them to keep; the file is never stored."""
    participant = transfer.participant
    holder = participant.name if participant.name else f"participant {participant.reference}"
    url = verify_url(transfer)
    document = pdf.render(
        "certificate.html",
        transfer=transfer,
        holder=holder,
        author=transfer.programme.name,
        verify_url=url,
        qr=pdf.qr_svg(url),
        svg_data_url=pdf.svg_data_url,
    )
    return signing.sign(document, reason=f"Certificate of ownership {transfer.id}, issued by {transfer.programme.name}")


def find_by_code(code: str) -> Transfer | None:
    """The certificate a /verify/ code names, or None: what anyone may check, without signing in."""
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        return None
    return db.session.scalar(sa.select(Transfer).where(Transfer.verify_code == code))
