"""The Idempotency-Key header on the API's actions an advocate may retry after a lost answer.

One rule, in services.idempotency (as for POST /loans and the offline door): a retry with the same key
from the same user gets the first answer, with `Idempotent-Replayed: true`, and nothing is done twice;
the same key with a different request (body or path) is 422; a failed request leaves its key unused."""

from __future__ import annotations

import functools
from collections.abc import Callable

import flask_smorest
from flask import Response, current_app, request

from ..auth import current_user
from ..services import idempotency

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def header_doc(what: str) -> dict:
    """The header as the OpenAPI document describes it."""
    return {
        "in": "header",
        "name": HEADER,
        "schema": {"type": "string", "maxLength": idempotency.MAX_KEY},
        "description": f"a retry with the same key returns the first answer and {what} nothing twice",
    }


def request_key() -> str | None:
    """The request's Idempotency-Key: none when absent or blank, 422 when too long."""
    return idempotency.checked_key(request.headers.get(HEADER))


def idempotent(
    scope: str,
    what: str,
    *,
    keep: Callable[[dict], dict] | None = None,
    replay: Callable[[dict], dict] | None = None,
):
    """Make a view (decorated with blp.response, below this) honour the Idempotency-Key header.

    Goes below `requires` (it needs the caller) and above blp.arguments and blp.response: the key is
    claimed before anything is read or locked, and what is kept is the answer as it was sent. An answer
    carrying personal data gives `keep` (what to store: ids only) and `replay` (the answer again from
    them), so no copy of it outlives an erasure."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request_key()
            if key is None:
                return view(*args, **kwargs)
            body_hash = idempotency.request_hash({"path": request.view_args, "body": request.get_json(silent=True)})
            claimed, stored = idempotency.claim(current_user(), scope, key, body_hash)
            if stored is not None:
                body = replay(stored["body"]) if replay is not None else stored["body"]
                again = current_app.json.response(body)
                again.status_code = stored["status"]
                again.headers[REPLAYED] = "true"
                return again
            answer: Response = view(*args, **kwargs)
            body = answer.get_json()
            idempotency.answered(
                claimed, {"status": answer.status_code, "body": keep(body) if keep is not None else body}
            )
            return answer

        return flask_smorest.Blueprint.doc(parameters=[header_doc(what)])(wrapper)

    return decorate
