"""Single sign-on: who a person signing in through OpenID Connect is here, and with what role.

The rule, applied to the claims of an ID token the web layer has already validated (issuer, audience,
nonce, signature):

- The email is trusted only when the provider says it is verified: `email_verified` true (OpenID Connect),
  or, from Microsoft Entra ID, `xms_edov` true (its "email domain owner verified" optional claim; Entra ID
  sends no `email_verified`). Anything else is refused: an unverified email could be anyone's.
- A deactivated user is refused.
- When the groups claim names a group in OIDC_ROLE_GROUPS, the provider is the source of truth for the role:
  a user who exists gets that role (changed here if it differs), and a person with no account yet is created
  with it. With no mapped group, an existing user keeps the role given here and an unknown person is refused.
- Partners belong to an organisation, which the provider cannot tell us, so nobody is created (or turned into)
  a partner this way.

Matching is by email only (the users table holds no provider subject yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..errors import Forbidden, InvalidInput
from ..extensions import add_or_conflict, db
from ..models import Role, User
from .users import normalise_email

ASK_AN_ADMINISTRATOR = "Ask an administrator if you should have access."
UNVERIFIED = (
    "Your organisation account did not say that your email address is verified, so it cannot be matched to an "
    "account here. " + ASK_AN_ADMINISTRATOR
)
UNKNOWN = (
    "There is no account here for your organisation account, and none of your groups gives one. "
    "Ask an administrator to add you, or to add you to the right group."
)
DEACTIVATED = "This account is deactivated. " + ASK_AN_ADMINISTRATOR
NO_PARTNERS = (
    "Your group makes you a partner, but a partner account belongs to a partner organisation, which your "
    "organisation account cannot tell us. Ask an administrator to add your account."
)
PASSWORDS_OFF = (
    "Password sign-in is turned off: sign in with your organisation account on the sign-in page. "
    "An administrator can make you an API token on the users page."
)

# When someone's groups map to several roles, the first of these wins.
_PRECEDENCE = (Role.ADMIN, Role.WAREHOUSE, Role.ADVOCATE, Role.PARTNER)


@dataclass(frozen=True)
class SsoSignIn:
    """Who signed in, and what the sign-in changed (for the log: ids and roles, never an email)."""

    user: User
    created: bool = False
    previous_role: Role | None = None


def check_password_sign_in(allowed: bool) -> None:
    """Asked by every door that takes a password (the sign-in page and POST /api/v1/auth/tokens)."""
    if not allowed:
        raise Forbidden(PASSWORDS_OFF)


def _true(value: Any) -> bool:
    # Some providers send booleans as strings ("true"); nothing else counts.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The email, normalised, when the provider vouches for it; otherwise None."""
    email = claims.get("email")
    if not isinstance(email, str) or not (_true(claims.get("email_verified")) or _true(claims.get("xms_edov"))):
        return None
    try:
        return normalise_email(email)
    except InvalidInput:
        return None


def groups_in(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The group ids in the groups claim: a list of strings (Entra ID's object ids), or one string."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [group for group in value if isinstance(group, str)]
    return []  # absent (or Entra ID's "groups overage", which sends a link instead of the list)


def role_from_groups(groups: Iterable[str], role_groups: Mapping[str, str]) -> Role | None:
    """The role the person's groups give, by OIDC_ROLE_GROUPS ({group id: role}); None when none does."""
    roles = {Role(role_groups[group]) for group in groups if group in role_groups}
    return next((role for role in _PRECEDENCE if role in roles), None)


def sign_in_with_claims(
    claims: Mapping[str, Any], *, role_groups: Mapping[str, str], groups_claim: str = "groups"
) -> SsoSignIn:
    """The user these (validated) ID token claims sign in as, created or given their role as the rule says.
    Refusals are Forbidden, with a message for the person. Only flushes: the request commits."""
    email = verified_email(claims)
    if email is None:
        raise Forbidden(UNVERIFIED)
    role = role_from_groups(groups_in(claims, groups_claim), role_groups)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        if role is None:
            raise Forbidden(UNKNOWN)
        if role == Role.PARTNER:
            raise Forbidden(NO_PARTNERS)
        name = claims.get("name")
        # No password: this person signs in through the provider (check_password never matches a missing hash).
        user = User(email=email, role=role, name=name.strip()[:200] if isinstance(name, str) else "")
        add_or_conflict(user, "That account was created a moment ago: try signing in again")
        return SsoSignIn(user, created=True)
    if not user.active:
        raise Forbidden(DEACTIVATED)
    if role is None or role == user.role:
        return SsoSignIn(user)
    if role == Role.PARTNER and user.organisation_id is None:
        raise Forbidden(NO_PARTNERS)
    previous, user.role = user.role, role
    db.session.flush()
    return SsoSignIn(user, previous_role=previous)
