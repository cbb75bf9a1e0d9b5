"""Bearer-token authentication and the role check every API endpoint goes through."""

from __future__ import annotations

import functools

from flask import g, request

from .errors import Forbidden, Unauthorised
from .models import User
from .permissions import Permission, allowed
from .services import users as user_service


def current_user() -> User:
    return g.user


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("Send an API token as 'Authorization: Bearer TOKEN' (POST /api/v1/auth/tokens gives one)")
    return token.strip()


def requires(permission: Permission):
    """Authenticate the caller's token, then check their role has `permission`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = user_service.user_for_token(bearer_token())
            if user is None:
                raise Unauthorised("The API token is unknown, revoked, or its user is deactivated")
            if not allowed(user.role, permission):
                raise Forbidden(f"A {user.role.value} user may not do this")
            g.user = user
            return view(*args, **kwargs)

        return wrapper

    return decorate
