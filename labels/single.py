"""One label as a picture: PNG (for a label printer's driver, or to show on screen) and SVG."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from .content import LabelContent
from .layout import layout
from .qr import matrix, runs

WIDTH_MM, HEIGHT_MM = 50.8, 25.4  # 2 x 1 inch, the commonest thermal label


def png(content: LabelContent, *, dpi: int = 300) -> bytes:
    rows = matrix(content.payload)
    box = layout(WIDTH_MM, HEIGHT_MM, len(rows))
    scale = dpi / 25.4
    # Whole pixels per module keep the code crisp; the quiet zone grows by the remainder.
    module = max(1, int(box.module * scale))
    image = Image.new("1", (round(WIDTH_MM * scale), round(HEIGHT_MM * scale)), 1)
    draw = ImageDraw.Draw(image)
    x0, y0 = round(box.code_x * scale), round(box.code_y * scale)
    for row, column, length in runs(rows):
        draw.rectangle(
            [x0 + column * module, y0 + row * module, x0 + (column + length) * module - 1, y0 + (row + 1) * module - 1],
            fill=0,
        )
    text_x = round(box.text_x * scale)
    tag_font = ImageFont.load_default(size=round(HEIGHT_MM * scale * 0.2))
    line_font = ImageFont.load_default(size=round(HEIGHT_MM * scale * 0.09))
    draw.text((text_x, y0), content.tag, font=tag_font, fill=0)
    y = y0 + round(HEIGHT_MM * scale * 0.26)
    for text in (content.line, content.item_line(28)):
        if text:
            draw.text((text_x, y), text, font=line_font, fill=0)
            y += round(HEIGHT_MM * scale * 0.12)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def svg(content: LabelContent) -> str:
    rows = matrix(content.payload)
    box = layout(WIDTH_MM, HEIGHT_MM, len(rows))
    path = "".join(
        f"M{box.code_x + c * box.module:.3f} {box.code_y + r * box.module:.3f}h{n * box.module:.3f}"
        f"v{box.module:.3f}h{-n * box.module:.3f}z"
        for r, c, n in runs(rows)
    )
    tag_size, line_size = HEIGHT_MM * 0.2, HEIGHT_MM * 0.085
    lines = [
        f'<text x="{box.text_x:.2f}" y="{box.code_y + tag_size:.2f}" font-size="{tag_size:.2f}" '
        f'font-weight="bold">{escape(content.tag)}</text>'
    ]
    y = box.code_y + tag_size + line_size * 1.6
    for text in (content.line, content.item_line(28)):
        if text:
            lines.append(f'<text x="{box.text_x:.2f}" y="{y:.2f}" font-size="{line_size:.2f}">{escape(text)}</text>')
            y += line_size * 1.3
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}" font-family="Helvetica, Arial, sans-serif">'
        f'<rect width="100%" height="100%" fill="#fff"/><path d="{path}" fill="#000"/>{"".join(lines)}</svg>'
    )
