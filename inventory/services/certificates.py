"""The ownership certificate: one A4 page the participant can keep."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..errors import NotFound
from ..extensions import db
from ..models import Actor, Transfer
from ..visibility import sees_participant

NO_TRANSFER = "No transfer with this id"  # someone else's answers the same


def get_transfer(transfer_id: int, viewer: Actor) -> Transfer:
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or not sees_participant(transfer.participant_id, viewer):  # the caller's caseload only
        raise NotFound(NO_TRANSFER)
    return transfer


def certificate_pdf(transfer: Transfer) -> bytes:
    """The programme, the date, and each item's type, make, model and serial. The participant's
    name is printed for them to keep; the file is never stored."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title="Certificate of ownership",
        author=transfer.programme.name,
    )
    participant = transfer.participant
    holder = participant.name if participant.name else f"participant {participant.reference}"
    story = [
        Paragraph("Certificate of ownership", styles["Title"]),
        Paragraph(transfer.programme.name, styles["Heading2"]),
        Spacer(1, 6 * mm),
        Paragraph(
            f"On {transfer.transferred_on.strftime('%-d %B %Y')} the equipment listed below became the "
            f"property of {_escape(holder)} (programme reference {_escape(participant.reference)}), "
            f"who completed the programme's {_escape(transfer.programme.assessment_name)}.",
            styles["BodyText"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [["Item", "Make", "Model", "Serial number"]]
    for item in transfer.items:
        asset = item.asset
        rows.append(
            [
                asset.type.value.capitalize(),
                asset.make,
                Paragraph(_escape(asset.model), styles["BodyText"]),
                asset.serial or "",
            ]
        )
    table = Table(rows, colWidths=[25 * mm, 35 * mm, 65 * mm, 45 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 10 * mm),
        Paragraph(
            f"Certificate number {transfer.id}. Keep this page: it shows the equipment is yours.", styles["BodyText"]
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
