"""Idempotency keys for any action: a retry with the same key gets the first answer, and nothing twice."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import Actor, IdempotencyKey

MAX_KEY = 100


def request_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def checked_key(key: str | None) -> str | None:
    """A key as a request gave it (a header, a form field): blank is none; too long is refused."""
    key = (key or "").strip() or None
    if key is not None and len(key) > MAX_KEY:
        raise InvalidInput(
            f"The Idempotency-Key is longer than {MAX_KEY} characters",
            {"headers": {"Idempotency-Key": [f"At most {MAX_KEY} characters."]}},
        )
    return key


def claim(actor: Actor, scope: str, key: str, body_hash: str) -> tuple[IdempotencyKey | None, dict | None]:
    """Claim the key for this actor and scope before anything else is locked, in this transaction.
    Answers (claim, None) the first time, to be given the answer with `answered`; or (None, the first
    answer) for a retry. A duplicate arriving at the same moment waits on the key (not on the items),
    then finds the first answer stored. If the request fails, its claim rolls back with it and the key
    can be used again. The same key with a different body is refused."""
    for _ in range(2):
        stored = db.session.scalar(
            sa.select(IdempotencyKey).where(
                IdempotencyKey.user_id == actor.id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
            )
        )
        if stored is not None:
            if stored.request_hash != body_hash:
                raise InvalidInput(
                    "This Idempotency-Key was already used for a different request; use a new key",
                    {"headers": {"Idempotency-Key": ["Already used with a different body."]}},
                )
            return None, stored.response
        claimed = IdempotencyKey(user_id=actor.id, scope=scope, key=key, request_hash=body_hash, response={})
        try:
            with db.session.begin_nested():  # a savepoint: losing the race undoes the claim alone
                db.session.add(claimed)
        except IntegrityError:
            continue  # another request with this key committed first: read its answer
        return claimed, None
    raise Conflict("A request with this Idempotency-Key is being handled; try again in a moment")


def answered(claimed: IdempotencyKey | None, response: dict) -> None:
    """Keep the first answer with its key, for the retries."""
    if claimed is not None:
        claimed.response = dict(response)
        db.session.flush()


PURGE_BATCH = 5000
PURGE_BATCHES = 20  # at most this many batches a night; what is left goes the next night


def purge(now: datetime, keep_days: int) -> int:
    """Delete keys claimed more than `keep_days` before `now`, oldest first, a batch at a time by the
    created_at index; how many (flushed). A retry after that is a new request: the window must outlast
    any retry a client makes (the offline queue's is one web session, at most a day)."""
    cutoff = now - timedelta(days=keep_days)
    deleted = 0
    for _ in range(PURGE_BATCHES):
        ids = list(
            db.session.scalars(
                sa.select(IdempotencyKey.id)
                .where(IdempotencyKey.created_at < cutoff)
                .order_by(IdempotencyKey.created_at)
                .limit(PURGE_BATCH)
            )
        )
        if ids:
            db.session.execute(
                sa.delete(IdempotencyKey).where(IdempotencyKey.id.in_(ids)).execution_options(synchronize_session=False)
            )
        deleted += len(ids)
        if len(ids) < PURGE_BATCH:
            break
    return deleted
