"""Where things go on one label, in millimetres from its top-left corner. Shared by every renderer."""

from __future__ import annotations

from dataclasses import dataclass

from .qr import QUIET_ZONE

MIN_MODULE_MM = 0.4  # smaller modules do not scan reliably once printed
EDGE_MM = 0.8  # die-cut labels shift a little on the sheet; keep everything this far inside


class LabelTooSmall(ValueError):
    """The QR code would not scan at this label size."""


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    code_x: float  # top-left of the code's first module (inside its quiet zone)
    code_y: float
    module: float
    modules: int
    text_x: float
    text_width: float

    @property
    def code_box(self) -> tuple[float, float, float, float]:
        """The code with its quiet zone: x, y, width, height."""
        zone = QUIET_ZONE * self.module
        side = self.modules * self.module + 2 * zone
        return self.code_x - zone, self.code_y - zone, side, side


def layout(width: float, height: float, modules: int) -> Layout:
    """The code as big as the label's height allows, quiet zone included, on the left; text to its right."""
    side = height - 2 * EDGE_MM
    module = side / (modules + 2 * QUIET_ZONE)
    if module < MIN_MODULE_MM:
        raise LabelTooSmall(
            f"a {modules}x{modules} code needs modules of at least {MIN_MODULE_MM} mm, and a {height} mm high "
            f"label gives {module:.2f} mm: use a larger label or a shorter PUBLIC_BASE_URL"
        )
    zone = QUIET_ZONE * module
    text_x = EDGE_MM + side
    return Layout(
        width=width,
        height=height,
        code_x=EDGE_MM + zone,
        code_y=EDGE_MM + zone,
        module=module,
        modules=modules,
        text_x=text_x,
        text_width=max(0.0, width - text_x - EDGE_MM),
    )
