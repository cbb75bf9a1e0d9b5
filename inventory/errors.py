"""Domain errors, and the one place that turns them (and every HTTP error) into JSON responses."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A request the domain refuses. `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class InvalidInput(DomainError):
    """The input is malformed or names something that does not fit; `errors` says where."""

    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request does not fit the current state of the thing it acts on."""

    status = 409


class Forbidden(DomainError):
    status = 403


class Unauthorised(DomainError):
    status = 401


class TooManyAttempts(DomainError):
    """Sign-in refused for a while after repeated failures; `retry_after` in whole seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def error_body(status: int, message: str, errors=None) -> dict:
    body = {"code": status, "message": message}
    if errors:
        body["errors"] = errors
    return body


def _discard_changes() -> None:
    # A refused request changes nothing: drop whatever the service had started before it refused.
    from .extensions import db

    db.session.rollback()


def _for_a_person() -> bool:
    """A browser asking for a page (not the API, not a script): answer with a page, not JSON."""
    return not request.path.startswith("/api/") and request.accept_mimetypes.accept_html


def _page(status: int, message: str):
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        _discard_changes()
        if _for_a_person():
            page, status = _page(error.status, error.message)
            response = app.make_response((page, status))
        else:
            response = jsonify(error_body(error.status, error.message, error.errors))
            response.status_code = error.status
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after)
        if error.status == 401 and not _for_a_person():
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        _discard_changes()
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        message = data.get("message") or _describe(error, errors)
        if _for_a_person():
            return _page(error.code or 500, _PAGE_MESSAGES.get(type(error).__name__, message))
        response = jsonify(error_body(error.code or 500, message, errors))
        response.status_code = error.code or 500
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        # Log the type and place only: exception text can carry request data (personal data).
        log.error(
            "unhandled %s on %s %s",
            type(error).__name__,
            request.method,
            request.path,
            exc_info=app.debug or app.testing,
        )
        return _http(InternalServerError())


# Said the way a person at a browser needs it.
_PAGE_MESSAGES = {
    "CSRFError": "This form had expired or was sent from another page. Go back, reload the page and try again.",
}


def _describe(error: HTTPException, errors) -> str:
    if errors and error.code in (400, 422):
        return "The request is not valid: see errors for each field."
    if error.code == 404:
        return "There is nothing at this address."
    return error.description or error.name
