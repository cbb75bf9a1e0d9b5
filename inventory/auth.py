"""Bearer-token authentication and the role check every API endpoint goes through."""

from __future__ import annotations

import functools
import threading
import time

from flask import current_app, g, request

from . import clock
from .errors import Forbidden, Unauthorised
from .models import as_utc, hash_token
from .permissions import Permission, allowed
from .services import users as user_service
from .services.users import Principal


def current_user() -> Principal:
    return g.user


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("Send an API token as 'Authorization: Bearer TOKEN' (POST /api/v1/auth/tokens gives one)")
    return token.strip()


class TokenCache:
    """Who a token belongs to, remembered for up to a second per worker process.

    Looking the token up costs a database round trip on every request, which is most of a scan's
    time when requests come quickly. A revocation made through this worker takes effect at once; one
    made elsewhere (another worker, the command line, a deactivation) within TOKEN_CACHE_SECONDS,
    which the settings keep at 1 or less. Set it to 0 to look up every time."""

    MAX_ENTRIES = 10_000

    def __init__(self):
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float | None = None) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= (time.monotonic() if now is None else now):
            return None
        return entry[1]

    def put(self, key: str, principal: Principal, ttl: float, now: float | None = None) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = ((time.monotonic() if now is None else now) + ttl, principal)

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


tokens = TokenCache()


def authenticate(token: str) -> Principal:
    ttl = current_app.config["TOKEN_CACHE_SECONDS"]
    key = hash_token(token)
    now = clock.now()
    principal = tokens.get(key) if ttl > 0 else None
    if principal is not None and principal.token_expires_at is not None and as_utc(principal.token_expires_at) <= now:
        principal = None
    if principal is None:
        principal = user_service.principal_for_token(token, now)
        if principal is None:
            raise Unauthorised(
                "The API token is unknown, expired or revoked, or its user is deactivated: sign in again"
            )
        if ttl > 0:
            tokens.put(key, principal, ttl)
    return principal


# What a user with a one-time password (an administrator's reset) may still do: change it, or sign out.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.revoke_current_token"})
# ... and a user whose role must have a second factor, before they have one: set it up.
MFA_SETUP_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | {"auth.begin_mfa", "auth.confirm_mfa"}


def must_set_up_mfa(role, mfa_enabled: bool) -> bool:
    return not mfa_enabled and role.value in current_app.config["MFA_REQUIRED_ROLES"]


def revoke(token: str) -> None:
    user_service.revoke_token(token)
    tokens.forget(hash_token(token))


def requires(permission: Permission):
    """Authenticate the caller's token, then check their role has `permission`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = authenticate(bearer_token())
            if user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
                raise Forbidden("Your password was reset: choose your own first (POST /api/v1/auth/password)")
            if must_set_up_mfa(user.role, user.mfa_enabled) and request.endpoint not in MFA_SETUP_ENDPOINTS:
                raise Forbidden(
                    f"A {user.role.value} must set up a second factor first "
                    "(POST /api/v1/auth/mfa, then POST /api/v1/auth/mfa/confirm)"
                )
            if not allowed(user.role, permission):
                raise Forbidden(f"A {user.role.value} user may not do this")
            g.user = user
            return view(*args, **kwargs)

        return wrapper

    return decorate
