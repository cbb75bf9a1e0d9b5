"""One label to a page, sized for the roll printers hubs own: the PDF a printer driver prints as it is."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .content import LabelContent
from .sheets import SheetTemplate, _draw


@dataclass(frozen=True)
class Roll:
    code: str
    description: str
    width: float  # mm, across the label as it reads
    height: float


ROLLS: dict[str, Roll] = {
    r.code: r
    for r in (
        Roll("dymo-99012", "Dymo LabelWriter 99012, 89 x 36 mm", 89.0, 36.0),
        Roll("brother-dk11209", "Brother QL DK-11209, 62 x 29 mm", 62.0, 29.0),
    )
}


class RollError(ValueError):
    pass


def roll(code: str) -> Roll:
    try:
        return ROLLS[code.strip().lower()]
    except KeyError:
        raise RollError(f"unknown label roll '{code}'; the rolls are {', '.join(ROLLS)}") from None


def render(content: LabelContent, paper: Roll) -> bytes:
    """A one-page PDF exactly the label's size, drawn as a sheet of one (the same layout as the A4 sheets)."""
    cell = SheetTemplate(paper.code, paper.description, paper.width, paper.height, 1, 1, 0, 0, 0, 0)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(paper.width * mm, paper.height * mm), pageCompression=1)
    canvas.setTitle(f"Label {content.tag} on {paper.code}")
    _draw(canvas, content, 0.0, 0.0, cell, paper.height, {})
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
