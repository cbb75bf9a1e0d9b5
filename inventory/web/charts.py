"""Bar charts drawn as inline SVG on the server: no chart library to ship, they print, they work without
JavaScript, and each comes with its numbers as a table for screen readers and for copying."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
BAR_HEIGHT, GAP, LABEL_WIDTH, WIDTH = 26, 8, 130, 560


@dataclass
class Chart:
    title: str
    rows: list[tuple[str, int]]
    svg: Markup


def bar_chart(title: str, rows: list[tuple[str, int]]) -> Chart:
    chart_id = f"chart-{next(_ids)}"
    top = max((value for _, value in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 60
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}">{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        width = round(room * value / top)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" text-anchor="end" font-size="14" '
            f'fill="#1b1b1b">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(width, 1)}" height="{BAR_HEIGHT}" fill="#1d70b8"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + BAR_HEIGHT * 0.7:.0f}" font-size="14" '
            f'fill="#1b1b1b">{value}</text>'
        )
    parts.append("</svg>")
    return Chart(title, rows, Markup("".join(parts)))
