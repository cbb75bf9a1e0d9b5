"""Pages for people. For now: the landing page, the label landing page and self-hosted browser assets."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from .. import tags as tag_rules

bp = Blueprint("web", __name__, template_folder="templates")

# Browser libraries come from the npm registry (package.json, `make vendor`) and are served from here.
VENDORED = {"swagger-ui": "swagger-ui-dist"}


@bp.route("/")
def home():
    return render_template("home.html")


@bp.route("/a/<code>")
@bp.route("/A/<code>")  # label QR codes hold the URL in capitals: a smaller code (labels.payload)
def label_landing(code: str):
    """What a phone camera opens from a label. It shows the tag only: details need a signed-in user."""
    tag = tag_rules.normalise(code)
    return render_template("label.html", tag=tag, valid=tag_rules.is_valid(tag)), (200 if tag_rules.is_valid(tag) else 404)


@bp.route("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    folder = VENDORED.get(package)
    if folder is None:
        abort(404)
    root = Path(current_app.config["VENDOR_DIR"]) / folder
    return send_from_directory(root, filename, max_age=86400)


def register(app) -> None:
    app.register_blueprint(bp)
