"""A consignment's packing list: one A4 document to put in the box (tags and stock fields only)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..clock import UK
from ..models import Consignment, as_utc
from . import consignments


def packing_list_pdf(consignment: Consignment) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=15 * mm,
        title=f"Packing list {consignment.tag}",
    )
    source, destination = consignment.from_location, consignment.to_location
    when = as_utc(consignment.dispatched_at)
    facts = [
        f"From {escape(source.code)} ({escape(source.name)}) "
        f"to {escape(destination.code)} ({escape(destination.name)})",
        f"{len(consignment.items)} item(s); status {consignment.status.value.replace('_', ' ')}",
    ]
    if when is not None:
        facts.append(f"Dispatched {when.astimezone(UK).strftime('%-d %B %Y %H:%M')}")
    if consignment.request is not None:
        facts.append(f"For stock request {consignment.request.id}")
    story = [Paragraph(f"Packing list: consignment {consignment.tag}", styles["Title"])]
    story += [Paragraph(line, styles["BodyText"]) for line in facts]
    story.append(Spacer(1, 5 * mm))
    rows = [["Tag", "Kit", "Type", "Make", "Model", "Serial", "Received"]]
    for item in consignment.items:
        asset = item.asset
        rows.append(
            [
                asset.tag,
                item.kit.tag if item.kit else "",
                asset.type.value,
                Paragraph(escape(asset.make), styles["BodyText"]),
                Paragraph(escape(asset.model), styles["BodyText"]),
                asset.serial or asset.iccid or "",
                item.outcome.value if item.outcome else "",
            ]
        )
    table = Table(rows, colWidths=[20 * mm, 20 * mm, 18 * mm, 25 * mm, 40 * mm, 40 * mm, 17 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    left = consignments.outstanding(consignment)
    if left:
        story += [
            Spacer(1, 5 * mm),
            Paragraph(
                "Still to send for the request: " + ", ".join(f"{o.count} {o.template or o.type}" for o in left),
                styles["BodyText"],
            ),
        ]
    doc.build(story)
    return buffer.getvalue()
