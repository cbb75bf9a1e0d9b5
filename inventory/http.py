"""Reading request bodies safely: JSON that cannot exhaust the stack, uploads read whole or refused."""

from __future__ import annotations

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge


class JSONProvider(DefaultJSONProvider):
    sort_keys = False  # keep fields in the order the schemas declare them

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # 50,000 nested brackets overflow Python's parser; Flask answers a ValueError with a 400.
            raise ValueError("The JSON is nested too deeply") from None


def whole_body() -> bytes:
    """The request body, all of it, or a 413: never the first MAX_CONTENT_LENGTH bytes of something
    longer (a chunked upload has no Content-Length to refuse it by)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    # Werkzeug's stream stops quietly at the limit when there is no Content-Length, so a body that
    # fills it is taken to go on past it.
    body = request.stream.read(limit + 1)
    if len(body) >= limit:
        raise RequestEntityTooLarge()
    return body
