"""Zebra ZPL II for 203 and 300 dpi thermal printers: a ^BQ QR code and the text beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .content import LabelContent
from .layout import EDGE_MM, MIN_MODULE_MM
from .qr import QUIET_ZONE, matrix

DPI = (203, 300)
# Characters ZPL reads as commands (^ ~) or as the ^FH escape (_) are written as _XX hex.
_SAFE = set(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]`abcdefghijklmnopqrstuvwxyz{|}")


def _dots(mm_value: float, dpi: int) -> int:
    return round(mm_value / 25.4 * dpi)


def escape(text: str) -> str:
    """Field data for ^FH: anything outside plain ASCII, and ^ ~ _, as UTF-8 hex (with ^CI28)."""
    return "".join(ch if ch in _SAFE else "".join(f"_{b:02X}" for b in ch.encode("utf-8")) for ch in text)


def render(labels: Sequence[LabelContent], *, width_mm: float = 50.8, height_mm: float = 25.4, dpi: int = 203) -> str:
    """One ^XA…^XZ block per label, in one file the printer prints in order."""
    if dpi not in DPI:
        raise ValueError(f"ZPL labels are made for {' or '.join(map(str, DPI))} dpi printers, not {dpi}")
    if not labels:
        raise ValueError("there are no labels to print")
    return "".join(_label(content, width_mm, height_mm, dpi) for content in labels)


def _label(content: LabelContent, width_mm: float, height_mm: float, dpi: int) -> str:
    modules = len(matrix(content.payload))
    width, height, edge = _dots(width_mm, dpi), _dots(height_mm, dpi), _dots(EDGE_MM, dpi)
    # ^BQ draws whole dots per module ("magnification" 1 to 10): as large as fits with the quiet zone.
    magnification = min(10, (height - 2 * edge) // (modules + 2 * QUIET_ZONE))
    if magnification < math.ceil(MIN_MODULE_MM / 25.4 * dpi):
        raise ValueError(f"a {height_mm} mm high label is too small for a {modules}x{modules} code at {dpi} dpi")
    zone = QUIET_ZONE * magnification
    code_side = modules * magnification
    text_x = edge + code_side + 2 * zone
    tag_height = max(20, min(height // 3, _dots(6, dpi)))
    line_height = max(14, tag_height // 2)
    parts = [
        "^XA",
        "^CI28",
        f"^PW{width}",
        f"^LL{height}",
        "^LH0,0",
        # Model 2 QR; field data "MA," = error correction M, automatic mode (alphanumeric for our URLs).
        f"^FO{edge + zone},{edge + zone}^BQN,2,{magnification}^FDMA,{content.payload}^FS",
        f"^FO{text_x},{edge + zone}^A0N,{tag_height},{tag_height}^FH^FD{escape(content.tag)}^FS",
        f"^FO{text_x},{edge + zone + tag_height + 4}^FB{max(1, width - text_x - edge)},2,0,L^A0N,{line_height},"
        f"{line_height}^FH^FD{escape(content.line)}^FS",
    ]
    if content.items:
        chars = max(8, (width - text_x - edge) // max(1, line_height // 2))
        parts.append(
            f"^FO{text_x},{edge + zone + tag_height + 2 * line_height + 12}^A0N,{line_height},"
            f"{line_height}^FH^FD{escape(content.item_line(chars))}^FS"
        )
    parts.append("^XZ\n")
    return "\n".join(parts)
