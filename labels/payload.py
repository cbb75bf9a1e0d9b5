"""What a label's QR code holds: the asset page's URL, and nothing personal."""

from __future__ import annotations

from urllib.parse import urlsplit

# QR alphanumeric mode: 45 symbols at 5.5 bits each, against 8 bits a character in byte mode.
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def label_url(base_url: str, tag: str) -> str:
    """The URL people see and follow: PUBLIC_BASE_URL/a/TAG."""
    return f"{base_url.rstrip('/')}/a/{tag}"


def qr_payload(base_url: str, tag: str) -> str:
    """What goes into the QR code: the label URL in the most compact form that still opens it.

    Scheme and host are case-insensitive and the app answers /A/TAG as well as /a/TAG, so a base URL
    without a path is written in capitals, which fits QR's alphanumeric mode (a smaller code with
    bigger modules on the same label). A base URL with a path keeps its case, in byte mode, since a
    path may be case-sensitive."""
    url = label_url(base_url, tag)
    if urlsplit(base_url).path.strip("/") == "" and set(url.upper()) <= QR_ALPHANUMERIC:
        return url.upper()
    return url
