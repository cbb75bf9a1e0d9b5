"""What a label's QR code holds: the asset page's URL, and nothing personal."""

from __future__ import annotations


def label_url(base_url: str, tag: str) -> str:
    # Upper-case letters, digits and few symbols keep the code small (see the labels issue for the
    # QR mode); the tag alone says which asset this is.
    return f"{base_url.rstrip('/')}/a/{tag}"
