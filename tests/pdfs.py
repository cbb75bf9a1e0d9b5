"""Checks on the PDFs we issue, as a reader would make them: the service's signature (pyHanko), the
structure a screen reader follows (pypdf), the text, and the QR codes on the page (rendered, then
decoded with zxing-cpp)."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pypdfium2
import zxingcpp
from flask import current_app
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader


def signature_status(data: bytes):
    """The service's signature on the PDF, validated against our certificate as the trusted root. In a
    thread of its own: pyHanko runs an event loop, and Playwright's sync API already runs one in ours."""
    cert = load_cert_from_pemder(current_app.config["PDF_SIGNING_CERT"])

    def validate():
        reader = PdfFileReader(io.BytesIO(data))
        [embedded] = reader.embedded_signatures
        return validate_pdf_signature(embedded, ValidationContext(trust_roots=[cert]))

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(validate).result()


def assert_signed_by_us(data: bytes) -> None:
    status = signature_status(data)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage.name == "ENTIRE_FILE"  # nothing added after signing


def structure(data: bytes) -> dict:
    """What a screen reader relies on: tagged (MarkInfo), a structure tree, the language and the title,
    and the alternative text of every figure."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    alts: list[str] = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure" and "/Alt" in node:
            alts.append(str(node["/Alt"]))
        if "/K" in node:
            walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return {
        "marked": bool(root["/MarkInfo"]["/Marked"]),
        "lang": str(root["/Lang"]),
        "title": reader.metadata.title if reader.metadata else None,
        "display_title": bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")),
        "figures": alts,
    }


def text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def qr_codes(data: bytes) -> list[str]:
    """Every QR code printed on the PDF's pages, decoded from a 200 dpi rendering."""
    found = []
    document = pypdfium2.PdfDocument(data)
    for page in document:
        image = page.render(scale=200 / 72).to_pil()
        found += [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found
