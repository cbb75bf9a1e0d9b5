"""Pages for people: signing in, the home page, the asset page a label opens, self-hosted browser assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from .. import clock
from ..models import Role
from ..permissions import Permission, allowed
from ..services import attention
from . import session, sso, words
from .common import field_errors

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/ui")

# Browser libraries come from the npm registry (package.json, `make vendor`) and are served from here.
VENDORED = {
    "swagger-ui": "swagger-ui-dist",
    "barcode-detector": "barcode-detector/dist/iife",  # the camera's QR reader where the browser has none
    "zxing-wasm": "zxing-wasm/dist/reader",
    "govuk-frontend": "govuk-frontend/dist/govuk",  # its JavaScript components and assets
    "styles": ".build",  # GOV.UK Frontend's Sass compiled with our settings by `make vendor`
}
# The main menu: each role sees the pages its permissions open.
MENU = (
    ("web.scan_station", "Scan", Permission.HANDLE_STOCK),
    ("web.deliveries", "Deliveries", Permission.HANDLE_STOCK),
    ("web.consignments_page", "Consignments", Permission.HANDLE_STOCK),
    ("web.hub", "Hub requests", Permission.READ_REQUESTS),
    ("web.stock_requests_page", "Requests against stock", Permission.DECIDE_REQUESTS),
    ("web.asset_list", "Assets", Permission.LOOK_UP),
    ("web.participants", "Participants", Permission.PARTICIPANTS),
    ("web.loans", "Loans", Permission.PARTICIPANTS),
    ("web.overdue", "Overdue", Permission.PARTICIPANTS),
    ("web.data_plans", "Data plans", Permission.READ_PLANS),
    ("web.stock", "Stock", Permission.READ_STOCK),
    ("web.stocktakes", "Stocktakes", Permission.STOCKTAKE),
    ("web.sims_to_bar", "SIMs to bar", Permission.HANDLE_STOCK),
    ("web.reminders", "Reminders", Permission.READ_PLANS),
    ("web.reports", "Reports", Permission.REPORTS),
    ("web.admin", "Admin", Permission.WRITE_REFERENCE),
)


@bp.before_app_request
def _no_nul_bytes():
    """No text a person types holds a NUL byte, and PostgreSQL refuses them: stop them at the door (400)
    rather than as a database error deep in a page. (The API's schemas refuse them field by field.)"""
    if not request.path.startswith("/api/") and any(
        "\x00" in value for values in request.values.listvalues() for value in values
    ):
        abort(400, description="The form holds a character that cannot be stored (a NUL byte).")
    return None


@bp.app_template_filter("options")
def _options(values) -> list[tuple[str, str]]:
    """Choices for a <select>: each value with a readable label (mobile_unit -> Mobile unit, sim -> SIM number)."""
    return [(v, words.label(v)) for v in values]


@bp.app_template_filter("location_options")
def _location_options(locations) -> list[tuple[str, str]]:
    """Choices of location by name, with the code people also know them by: Bootle hub (HUB-C)."""
    return [(loc.code, f"{loc.name} ({loc.code})") for loc in locations]


@bp.app_template_filter("field_messages")
def _field_messages(refused) -> dict[str, str]:
    """A refusal's field errors as sentences, for the error summary (macros.html, `refusal`)."""
    return field_errors(refused)


@bp.app_context_processor
def _menu():
    def menu():
        if not current_user.is_authenticated:
            return []
        return [(endpoint, label) for endpoint, label, permission in MENU if allowed(current_user.role, permission)]

    def can(permission: str) -> bool:
        """Whether the signed-in user's role holds a permission (permissions.py), for what a page offers."""
        return current_user.is_authenticated and allowed(current_user.role, Permission(permission))

    return {"menu": menu, "can": can}


# Where each count on the home page leads: the list that shows those very rows.
ATTENTION_LINKS: dict[str, tuple[str, dict[str, Any]]] = {
    "received_no_certificate": ("web.asset_list", {"status": "received"}),
    "quarantine_week": ("web.asset_list", {"quarantined_days": attention.QUARANTINE_DAYS}),
    "found_reports": ("web.found_reports", {}),
    "consignments_to_pack": ("web.consignments_page", {"status": "packing"}),
    "deliveries_to_receive": ("web.hub", {"_anchor": "deliveries"}),
    "stocktakes_due": ("web.stocktakes", {"_anchor": "due"}),
    "data_ends_7": ("web.participants", {"show": "data_ends_7"}),
    "no_assessment_4_weeks": ("web.participants", {"show": "no_assessment_4_weeks"}),
    "reminder_not_delivered": ("web.participants", {"show": "reminder_not_delivered"}),
    "outbox_stuck": ("web.reminders", {"status": "queued"}),
    "failed_reminders": ("web.reminders", {"status": "failed"}),
    "users_without_mfa": ("web.admin_users", {"mfa": "off"}),
}
# Each role's first job of the day, offered first on its home page.
START = {Role.WAREHOUSE: "web.scan_station", Role.ADVOCATE: "web.participants", Role.PARTNER: "web.stock"}


@bp.route("/")
@login_required
def home():
    """Each role's home: what needs attention today (counts that open the list they count), then its pages."""
    items = attention.for_viewer(
        current_user,
        now=clock.now(),
        today=clock.today(),
        assessment_weeks=current_app.config["ASSESSMENT_REMINDER_WEEKS"],
        stocktake_days=current_app.config["STOCKTAKE_DAYS"],
    )

    def link(key: str) -> str | None:
        target = ATTENTION_LINKS.get(key)
        return url_for(target[0], **target[1]) if target else None

    return render_template(
        "home.html", attention=[(item, link(item.key)) for item in items], start=START.get(current_user.role)
    )


@bp.route("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    folder = VENDORED.get(package)
    if folder is None:
        abort(404)
    root = Path(current_app.config["VENDOR_DIR"]) / folder
    return send_from_directory(root, filename, max_age=86400)


def api_docs():
    """The API's interactive page (flask-smorest's own has an inline script, which our CSP refuses)."""
    return render_template(
        "api_docs.html",
        title=current_app.config["API_TITLE"],
        spec_url=url_for("api-docs.openapi_json"),
        swagger_ui_url=current_app.config["OPENAPI_SWAGGER_UI_URL"],
    )


def register(app) -> None:
    # GOV.UK Frontend's component macros, as templates named govuk_frontend_jinja/components/...
    app.jinja_env.loader = ChoiceLoader(
        [app.jinja_env.loader, PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    words.register(app)
    app.register_blueprint(session.bp)
    app.register_blueprint(sso.bp)
    sso.init_app(app)
    app.register_blueprint(bp)
    app.view_functions["api-docs.openapi_swagger_ui"] = api_docs


# The page modules add their routes to `bp` (imported last: they import it from here).
from . import (  # noqa: E402,F401
    admin,
    asset_list,
    assets,
    case_changes,
    deliveries,
    edits,
    issuing,
    jobs,
    lists,
    loan_changes,
    logistics,
    offline,
    reference_changes,
    scan,
    stock,
    stocktakes,
    verify,
)
