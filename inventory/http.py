"""Reading request bodies safely: JSON that cannot exhaust the stack, uploads read whole or refused."""

from __future__ import annotations

from typing import IO

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


def spooled_body() -> IO[bytes]:
    """The request body as a file that can be read twice (kept in memory up to a megabyte, on disk
    beyond: services.manifest.spooled), all of it, or a 413: never the first MAX_CONTENT_LENGTH bytes of
    something longer (a chunked upload has no Content-Length to refuse it by)."""
    from .services.manifest import spooled

    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    try:
        # Werkzeug's stream stops quietly at the limit when there is no Content-Length, so a body that
        # fills it is taken to go on past it.
        return spooled(request.stream, limit - 1)
    except ValueError:
        raise RequestEntityTooLarge() from None
