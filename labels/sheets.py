"""A4 label sheets as vector PDF, for the Avery layouts UK offices buy."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .content import LabelContent
from .layout import layout
from .qr import rows as qr_rows
from .qr import runs

A4 = (210.0, 297.0)


@dataclass(frozen=True)
class SheetTemplate:
    """One sheet's geometry in millimetres, from the manufacturer's template."""

    code: str
    description: str
    label_width: float
    label_height: float
    columns: int
    rows: int
    left: float  # page edge to the first label
    top: float
    pitch_x: float  # one label's left edge to the next one's
    pitch_y: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def cell(self, position: int) -> tuple[float, float]:
        """Top-left corner of label `position` (1-based, left to right, then down)."""
        row, column = divmod(position - 1, self.columns)
        return self.left + column * self.pitch_x, self.top + row * self.pitch_y


TEMPLATES: dict[str, SheetTemplate] = {
    t.code: t
    for t in (
        SheetTemplate("L7651", "Avery L7651, 65 a sheet, 38.1 x 21.2 mm", 38.1, 21.2, 5, 13, 4.75, 10.7, 40.6, 21.2),
        SheetTemplate("L7160", "Avery L7160, 21 a sheet, 63.5 x 38.1 mm", 63.5, 38.1, 3, 7, 7.25, 15.15, 66.0, 38.1),
        SheetTemplate("L7163", "Avery L7163, 14 a sheet, 99.1 x 38.1 mm", 99.1, 38.1, 2, 7, 4.65, 15.15, 101.6, 38.1),
        # Durable polyester for tablets and laptops that get handled: survives water, heat and scuffing.
        SheetTemplate(
            "L6145", "Avery L6145 heavy duty, 40 a sheet, 45.7 x 25.4 mm", 45.7, 25.4, 4, 10, 9.7, 21.5, 48.3, 25.4
        ),
    )
}


class SheetError(ValueError):
    pass


def template(code: str) -> SheetTemplate:
    try:
        return TEMPLATES[code.strip().upper()]
    except KeyError:
        raise SheetError(f"unknown label template '{code}'; the templates are {', '.join(TEMPLATES)}") from None


def render(
    labels: Sequence[LabelContent],
    sheet: SheetTemplate,
    *,
    start_position: int = 1,
    offset: tuple[float, float] = (0.0, 0.0),
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """A PDF with one label per content, starting at `start_position` on the first (partly used)
    sheet, then on as many fresh sheets as needed. `offset` (mm, right and down) corrects a printer
    that shifts the page."""
    if not labels:
        raise SheetError("there are no labels to print")
    if not 1 <= start_position <= sheet.per_sheet:
        raise SheetError(
            f"start position {start_position} is off the sheet: {sheet.code} has positions 1 to {sheet.per_sheet}"
        )
    buffer = io.BytesIO()
    page_w, page_h = A4
    canvas = Canvas(buffer, pagesize=(page_w * mm, page_h * mm), pageCompression=1)
    canvas.setTitle(f"{len(labels)} labels on {sheet.code}")
    position = start_position
    cache: dict = {}  # layouts by code size, wrapped lines by text
    for count, content in enumerate(labels, start=1):
        if position > sheet.per_sheet:
            canvas.showPage()
            position = 1
        x, y = sheet.cell(position)
        _draw(canvas, content, x + offset[0], y + offset[1], sheet, page_h, cache)
        position += 1
        if progress and (count % 50 == 0 or count == len(labels)):
            progress(count)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw(
    canvas: Canvas, content: LabelContent, left: float, top: float, sheet: SheetTemplate, page_h: float, cache: dict
) -> None:
    rows = qr_rows(content.payload)
    box = cache.get(len(rows))
    if box is None:
        box = cache[len(rows)] = layout(sheet.label_width, sheet.label_height, len(rows))

    # reportlab measures from the bottom of the page; labels are laid out from the top.
    def ypos(mm_from_label_top: float) -> float:
        return (page_h - top - mm_from_label_top) * mm

    # Drawn in the code's own grid (one unit a module, rows counted down), so that each run of dark
    # modules is a rectangle of whole numbers: reportlab formatting 170,000 floats a sheet was most of
    # its time. Written as PDF operators directly, the same filled path drawPath would write.
    module = box.module * mm
    canvas.saveState()
    canvas.transform(module, 0, 0, -module, (left + box.code_x) * mm, ypos(box.code_y))
    canvas.addLiteral(_code_path(rows, cache) + " f")
    canvas.restoreState()

    width = box.text_width * mm
    if width <= 0:
        return
    text_x = (left + box.text_x) * mm
    tag_size = _fit("Helvetica-Bold", content.tag, width, min(14.0, sheet.label_height * 0.55))
    line_size = min(6.5, tag_size * 0.6)
    baseline = box.code_y + (tag_size / 72 * 25.4)
    canvas.setFont("Helvetica-Bold", tag_size)
    canvas.drawString(text_x, ypos(baseline), content.tag)
    canvas.setFont("Helvetica", line_size)
    step = line_size / 72 * 25.4 * 1.25
    # A batch's labels mostly share their line ("tablet · Galaxy Tab A9"): wrapped once, not per label.
    key = (content.line, width, line_size, not content.items)
    lines = cache.get(key)
    if lines is None:
        lines = cache[key] = _wrap(content.line, width, line_size, lines=2 if not content.items else 1)
    for text in lines:
        baseline += step
        canvas.drawString(text_x, ypos(baseline), text)
    if content.items:
        for text in _wrap(" ".join(content.items), width, line_size * 0.9, lines=2):
            baseline += step
            if baseline > sheet.label_height - 0.8:
                break
            canvas.setFont("Helvetica", line_size * 0.9)
            canvas.drawString(text_x, ypos(baseline), text)


CHUNK = 8  # modules: a row is drawn as pieces this wide, each piece's operators made once a sheet


def _code_path(rows: list[str], cache: dict) -> str:
    """The dark modules as rectangles, one path. Each row is cut into pieces of CHUNK modules whose
    operators are remembered by (row, place, pattern): a 1,000-label sheet has a few thousand different
    pieces among its 100,000, so most are looked up rather than formatted. A run crossing a cut is two
    rectangles that meet exactly, which one fill paints as one."""
    out = []
    for y, row in enumerate(rows):
        for start in range(0, len(row), CHUNK):
            piece = row[start : start + CHUNK]
            key = (y, start, piece)
            drawn = cache.get(key)
            if drawn is None:
                drawn = cache[key] = " ".join(f"{start + x} {y} {n} 1 re" for _, x, n in runs([piece]))
            if drawn:
                out.append(drawn)
    return " ".join(out)


def _fit(font: str, text: str, width: float, size: float) -> float:
    while size > 4 and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _wrap(text: str, width: float, size: float, lines: int) -> list[str]:
    """Words into at most `lines` lines of `width` points, the last cut with an ellipsis."""
    out, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if stringWidth(candidate, "Helvetica", size) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        if len(out) == lines:
            break
    if current and len(out) < lines:
        out.append(current)
    out = out[:lines]
    if out and " ".join(out) != " ".join(text.split()):
        last = out[-1]
        while last and stringWidth(last + "…", "Helvetica", size) > width:
            last = last[:-1]
        out[-1] = last + "…"
    return out
