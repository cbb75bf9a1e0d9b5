"""QR matrices, made with the qrcode library."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of blank margin the QR standard asks for on every side
# Every one of the standard's eight masks makes a valid code that every reader decodes. Letting qrcode
# score all eight (to pick the one with the fewest awkward patterns) builds the matrix eight times and
# took 85% of a label sheet's time; our payloads are short upper-case URLs, and the tests decode them.
MASK = 0


def matrix(payload: str) -> list[list[bool]]:
    """The code's dark (True) and light modules, without the quiet zone. Error correction M (15%)
    survives a scuffed label without making the code much bigger. One fixed mask: see MASK."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK)
    code.add_data(payload, optimize=0)
    code.make(fit=True)
    return code.get_matrix()


def runs(rows: list[list[bool]]):
    """Horizontal runs of dark modules as (row, first column, length): far fewer shapes to draw."""
    for y, row in enumerate(rows):
        x, width = 0, len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1
