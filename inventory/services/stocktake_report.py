"""The stocktake report: an A4 PDF of what was expected, found, missing and unexpected, and what closing
did about each. Stock facts only (tags, types, makes, serials, places): nothing about any person."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..clock import UK
from ..models import as_utc
from .stocktakes import StocktakeView

_OUTCOME_WORDS = {
    "marked_missing": "marked missing",
    "moved_here": "moved here",
    "found": "found: back in stock",
    "left": "left",
}


def _when(value) -> str:
    return as_utc(value).astimezone(UK).strftime("%-d %B %Y %H:%M") if value is not None else ""


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def report_pdf(counted: StocktakeView) -> bytes:
    """The report as the viewer may see it (a partner gets only the tag and type of an unexpected item
    recorded at someone else's location, as on the page)."""
    stocktake = counted.stocktake
    place = stocktake.location
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Stocktake {stocktake.id} at {place.code}",
    )
    state = (
        f"Closed {_when(stocktake.closed_at)}"
        if stocktake.closed_at
        else "Still open: an interim report of the scans so far"
    )
    c = counted.counts
    story = [
        Paragraph(f"Stocktake {stocktake.id}: {escape(place.code)} — {escape(place.name)}", styles["Title"]),
        Paragraph(f"Opened {_when(stocktake.opened_at)}. {state}.", styles["BodyText"]),
        Spacer(1, 4 * mm),
        _table(
            [
                ["Expected", "Found", "Missing", "Unexpected"],
                [str(c.expected), str(c.found), str(c.missing), str(c.unexpected)],
            ],
            [40 * mm] * 4,
        ),
        Spacer(1, 4 * mm),
    ]
    if stocktake.missing_choice is not None and stocktake.unexpected_choice is not None:
        story.append(
            Paragraph(
                "At closing: items not found were "
                + ("marked missing" if stocktake.missing_choice.value == "mark_missing" else "left as recorded")
                + "; items found here but recorded elsewhere were "
                + ("moved here" if stocktake.unexpected_choice.value == "move_here" else "left as recorded")
                + ".",
                styles["BodyText"],
            )
        )
    outcomes = {s.tag: s for s in counted.outcomes}
    lines = {line.asset.tag: line for line in counted.lines}

    def outcome_cell(tag: str) -> Paragraph:
        settled = outcomes.get(tag)
        if settled is None:
            return Paragraph("", small)
        words = _OUTCOME_WORDS.get(settled.outcome, settled.outcome)
        return Paragraph(escape(words + (f": {settled.note}" if settled.note else "")), small)

    story.append(Paragraph(f"Missing: expected and not found ({len(counted.missing)})", styles["Heading2"]))
    rows: list[list] = [["Tag", "Type", "Make and model", "Serial", "Was", "At closing"]]
    for tag in counted.missing:
        asset = lines[tag].asset
        rows.append(
            [
                tag,
                asset.type.value,
                Paragraph(escape(f"{asset.make} {asset.model}"), small),
                Paragraph(escape(asset.serial or asset.iccid or ""), small),
                lines[tag].recorded_status.replace("_", " "),
                outcome_cell(tag),
            ]
        )
    story.append(
        _table(rows, [22 * mm, 18 * mm, 40 * mm, 32 * mm, 20 * mm, 42 * mm])
        if len(rows) > 1
        else Paragraph("Nothing.", styles["BodyText"])
    )

    story.append(
        Paragraph(f"Unexpected: found here, recorded otherwise ({len(counted.unexpected)})", styles["Heading2"])
    )
    rows = [["Tag", "Type", "Recorded at", "Recorded as", "At closing"]]
    for item in counted.unexpected_items:
        rows.append(
            [
                item.tag,
                item.type,
                item.location or "",
                (item.status or "").replace("_", " "),
                outcome_cell(item.tag),
            ]
        )
    story.append(
        _table(rows, [22 * mm, 18 * mm, 30 * mm, 30 * mm, 74 * mm])
        if len(rows) > 1
        else Paragraph("Nothing.", styles["BodyText"])
    )

    story.append(Paragraph(f"Found as expected ({len(counted.found)})", styles["Heading2"]))
    rows = [["Tag", "Type", "Make and model", "At closing"]]
    for tag in counted.found:
        asset = lines[tag].asset
        rows.append([tag, asset.type.value, Paragraph(escape(f"{asset.make} {asset.model}"), small), outcome_cell(tag)])
    story.append(
        _table(rows, [22 * mm, 18 * mm, 70 * mm, 64 * mm])
        if len(rows) > 1
        else Paragraph("Nothing.", styles["BodyText"])
    )
    doc.build(story)
    return buffer.getvalue()
