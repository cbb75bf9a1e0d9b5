"""Domain errors, and the one place that turns them (and every HTTP error) into JSON responses."""

from __future__ import annotations

import logging
import sqlite3

import psycopg
import sqlalchemy.exc as sa_exc
from flask import Flask, Response, jsonify, render_template, request
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
    from .extensions import rollback_quietly

    rollback_quietly()


# --- The database not answering -------------------------------------------------------------------
#
# A connection that died under a request (the server restarted, failed over, or an administrator ended
# it) is not the caller's fault and not a bug: the answer is a 503 that says to try again, and the pool
# has already thrown that connection away (pool_pre_ping replaces the others), so the next request works.

DATABASE_DOWN_MESSAGE = "The database is not answering; try again in a moment"
DATABASE_RETRY_AFTER = 5  # seconds


def is_database_down(error: BaseException) -> bool:
    """The database, not the request, failed: a lost or refused connection, or no connection to be had."""
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        cause: BaseException | None = error.orig
    else:
        cause = error
    if isinstance(cause, psycopg.OperationalError | sa_exc.TimeoutError):
        return True  # PostgreSQL: a lost connection, a server shutting down, too many connections
    # SQLite's OperationalError is also what a typo in SQL raises: only these two are the database's state.
    return isinstance(cause, sqlite3.OperationalError) and str(cause).startswith(
        ("database is locked", "unable to open database")
    )


def database_down_response() -> Response:
    """The 503 for a person (a page) or for the API and scripts (JSON), with Retry-After."""
    from flask import current_app

    if _for_a_person():
        # A page of its own: the usual layout reads the signed-in user, which needs the database.
        response = current_app.make_response((render_template("unavailable.html", message=DATABASE_DOWN_MESSAGE), 503))
    else:
        response = jsonify(error_body(503, DATABASE_DOWN_MESSAGE))
        response.status_code = 503
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def turn_into_database_down(response: Response) -> Response:
    """Make an answer that was ready (its headers set by the other hooks) the 503: its commit failed
    because the connection died, so what it says did not happen."""
    down = database_down_response()
    response.direct_passthrough = False
    response.set_data(down.get_data())
    response.status_code = 503
    response.headers.pop("Location", None)
    for name in ("Content-Type", "Retry-After", "Cache-Control"):
        response.headers[name] = down.headers[name]
    return response


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

    def _database(error: Exception):
        if not is_database_down(error):
            return _unexpected(error)
        log.warning("database not answering on %s %s: %s", request.method, request.endpoint, type(error).__name__)
        _discard_changes()
        return database_down_response()

    for error_class in (sa_exc.DBAPIError, sa_exc.TimeoutError, psycopg.OperationalError):
        app.register_error_handler(error_class, _database)

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
