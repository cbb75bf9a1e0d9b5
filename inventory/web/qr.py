"""A QR code as a PNG data: URI, for an <img> on a page (the second factor's set-up): nothing to
store or serve, and the secret never appears in an address."""

from __future__ import annotations

import base64
import io

import qrcode


def qr_png_data_uri(text: str) -> str:
    image = qrcode.make(text, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
