"""Bar charts drawn as inline SVG on the server: no chart library to ship, they print, they work without
JavaScript, and each comes with its numbers as a table for screen readers and for copying.

The text is sized for a phone first: each row is its label on one line and the bar with its value under
it, in a drawing 380 units wide with 19-unit text. The drawing is shown as wide as the column up to 380 px
(site.css, `.chart`), so its text reads as GOV.UK's body text does: 16.5 px on a 360 px phone (a 330 px
column) and 19 px on a desktop. (A label beside its bar in a wider drawing shrank to 9 px on a phone.)"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

from . import words

_ids = count(1)
WIDTH = 380  # the drawing's width in units, and its widest on a page in px
TEXT = 19  # text size in units: GOV.UK's body text at the widest
LABEL_LINE = 24  # room for the label's line above its bar
BAR_HEIGHT = 24
ROW_GAP = 14  # between one bar and the next row's label
VALUE_ROOM = 70  # at the bar's end, for its number


@dataclass
class Chart:
    title: str
    rows: list[tuple[str, int]]
    svg: Markup


def bar_chart(title: str, rows: list[tuple[str, int]]) -> Chart:
    chart_id = f"chart-{next(_ids)}"
    top = max((value for _, value in rows), default=0) or 1
    room = WIDTH - VALUE_ROOM
    row_height = LABEL_LINE + BAR_HEIGHT + ROW_GAP
    height = len(rows) * row_height
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}">{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        top_y = i * row_height
        bar_y = top_y + LABEL_LINE
        width = round(room * value / top)
        parts.append(
            f'<text x="0" y="{top_y + TEXT}" font-size="{TEXT}" fill="#0b0c0c">{escape(words.label(label))}</text>'
            f'<rect x="0" y="{bar_y}" width="{max(width, 1)}" height="{BAR_HEIGHT}" fill="#1d70b8"/>'
            f'<text x="{max(width, 1) + 8}" y="{bar_y + BAR_HEIGHT - 6}" font-size="{TEXT}" font-weight="700" '
            f'fill="#0b0c0c">{value}</text>'
        )
    parts.append("</svg>")
    return Chart(title, rows, Markup("".join(parts)))
