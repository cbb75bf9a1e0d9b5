"""How the service is reached over HTTP: one blueprint per resource, HTTP glue only."""

from __future__ import annotations

from flask import request

from ..errors import DomainError
from ..extensions import api, csrf
from .access_log.routes import blp as access_log
from .assets.routes import blp as assets
from .auth.routes import blp as auth
from .common import IdConverter
from .consignments.routes import blp as consignments
from .health.routes import blp as health
from .jobs.routes import blp as jobs
from .kits.routes import blp as kits
from .labels.routes import blp as labels
from .loans.routes import blp as loans
from .notifications.routes import blp as notifications
from .notifications.routes import callbacks as notify_callbacks
from .participants.routes import blp as participants
from .reference.routes import blp as reference
from .reports.routes import blp as reports
from .scan.routes import blp as scan
from .stock.routes import blp as stock
from .stock_requests.routes import blp as stock_requests
from .stocktakes.routes import blp as stocktakes
from .users.routes import blp as users

# Endpoints that take a file rather than JSON.
_FILE_ENDPOINTS = frozenset({"assets.import_assets"})


class UnsupportedMediaType(DomainError):
    status = 415


class BadRequest(DomainError):
    status = 400


def _no_nul_in_address():
    # PostgreSQL cannot compare text with NUL in it; such an address can name nothing we hold.
    if "\x00" in request.path or b"%00" in request.query_string or "\x00" in request.query_string.decode("latin-1"):
        raise BadRequest("The address contains a NUL character")


def _json_bodies_only():
    """A body that is not JSON would otherwise be read as "no fields" and an all-optional request
    would go ahead without what the caller meant to send."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.path.startswith("/api/v1/"):
        return
    if request.endpoint in _FILE_ENDPOINTS or not request.content_length:
        return
    if not request.is_json:
        raise UnsupportedMediaType(
            f"Send the body as JSON (Content-Type: application/json), not {request.mimetype or 'untyped data'}"
        )


def register(app) -> None:
    app.url_map.converters["id"] = IdConverter
    api.register_converter(IdConverter, lambda converter: {"type": "integer", "format": "int64", "minimum": 1})
    for blueprint in (
        health,
        auth,
        users,
        reference,
        assets,
        scan,
        kits,
        stock,
        stock_requests,
        consignments,
        stocktakes,
        participants,
        loans,
        reports,
        labels,
        jobs,
        notifications,
        notify_callbacks,
        access_log,
    ):
        csrf.exempt(blueprint)  # bearer tokens, not cookies: nothing for a forged form to ride on
        api.register_blueprint(blueprint)
    app.before_request(_no_nul_in_address)
    app.before_request(_json_bodies_only)
