"""The public page a certificate's QR code opens: is this certificate genuine? Open to anyone, signed in
or not, and it shows nothing personal: the programme, the date, and the items' types and serials."""

from __future__ import annotations

from flask import render_template

from ..services import certificates
from . import bp


@bp.route("/verify/<code>")
def verify(code: str):
    transfer = certificates.find_by_code(code)
    if transfer is None:
        return render_template("verify_unknown.html"), 404
    response = render_template("verify.html", transfer=transfer)
    return response, 200, {"Cache-Control": "no-store"}
