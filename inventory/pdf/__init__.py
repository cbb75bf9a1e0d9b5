"""The PDFs we issue (handover records, ownership certificates): HTML templates made into tagged PDF/UA
by WeasyPrint, so screen readers can follow them, then signed by the service (pdf.signing).

WeasyPrint fetches nothing from the network or the disk: the templates carry their own style, and
images (the QR code, a drawn signature) come as data: URLs we made ourselves."""

from __future__ import annotations

import base64
from pathlib import Path

import jinja2

from labels.qr import matrix, runs

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render(template: str, **context) -> bytes:
    """A PDF/UA-1 document (tagged, with its title and language) from one of our templates."""
    # Imported here: WeasyPrint takes seconds to load, and most processes (the CLI, the scheduler) never make a PDF.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = _templates.get_template(template).render(**context)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf(pdf_variant="pdf/ua-1")


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_svg(payload: str) -> str:
    """A QR code as SVG: one rectangle per run of dark modules, with the quiet zone the standard asks."""
    rows = matrix(payload)
    size = len(rows) + 8
    rects = "".join(f'<rect x="{x + 4}" y="{y + 4}" width="{n}" height="1"/>' for y, x, n in runs(rows))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><g fill="#000">{rects}</g></svg>'
    )
