"""Signing in with the organisation's account: OpenID Connect (authorisation code flow with PKCE) via Authlib.

POST /sign-in/oidc sends the browser to the provider (state, nonce and a PKCE S256 verifier kept in the
session); /sign-in/oidc/callback exchanges the code and has Authlib validate the ID token against the
provider's discovery document and JWKS (issuer, audience, nonce, signature, expiry). Who that is here, and with
what role, is services.sso's rule. Tokens and emails are never logged.
"""

from __future__ import annotations

import logging

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from joserfc.errors import JoseError

from ..errors import Forbidden
from ..services import sso as sso_service
from .session import _safe_next, start_web_session

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__, template_folder="templates")

_EXTENSION = "inventory.sso"
_NEXT = "sso_next"


def init_app(app) -> None:
    """One OAuth registry per app (Authlib's Flask registry binds to a single app), only when configured."""
    # Authlib logs the PKCE verifier at debug level: never let a debug setting put it in the logs.
    logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger("authlib").level))
    if not configured(app.config):
        return
    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": app.config["OIDC_TIMEOUT"],
        },
    )
    app.extensions[_EXTENSION] = oauth


def configured(config) -> bool:
    return bool(config.get("OIDC_ISSUER"))


def _client():
    oauth = current_app.extensions.get(_EXTENSION)
    if oauth is None:
        abort(404)
    return oauth.create_client("oidc")


def _refused(message: str, status: int = 403):
    return render_template("sso_refused.html", message=message), status


@bp.app_context_processor
def _sign_in_options():
    return {
        "sso_enabled": configured(current_app.config),
        "password_sign_in": current_app.config["PASSWORD_SIGN_IN"],
    }


@bp.before_app_request
def _no_passwords_when_turned_off():
    """PASSWORD_SIGN_IN=false: the sign-in page takes no password (the API's token endpoint asks the same)."""
    if request.endpoint == "session.sign_in" and request.method == "POST":
        try:
            sso_service.check_password_sign_in(current_app.config["PASSWORD_SIGN_IN"])
        except Forbidden as refused:
            target = _safe_next(request.values.get("next"))
            return render_template("sign_in.html", next=target, error=refused.message), 403
    return None


@bp.route("/sign-in/oidc", methods=["POST"])
def start():
    """To the provider. A POST with the CSRF token, so no other site can start a sign-in for someone."""
    client = _client()
    session[_NEXT] = _safe_next(request.form.get("next"))
    try:
        return client.authorize_redirect(current_app.config["PUBLIC_BASE_URL"] + "/sign-in/oidc/callback")
    except requests.RequestException as failure:
        log.warning("single sign-on: the provider's discovery document could not be read (%s)", type(failure).__name__)
        return _refused("The organisation sign-in is not answering. Try again in a moment.", 502)


@bp.route("/sign-in/oidc/callback")
def callback():
    client = _client()
    target = session.pop(_NEXT, None) or _safe_next(None)
    # Pinned to our settings: this issuer (not just whatever the discovery document says) and this client.
    expected = {
        "iss": {"essential": True, "value": current_app.config["OIDC_ISSUER"]},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
    }
    try:
        token = client.authorize_access_token(claims_options=expected)
    except OAuthError as failure:
        # The provider's error code only: its description can name the person.
        log.info("single sign-on refused by the provider or out of step: %s", failure.error)
        return _refused("Signing in with your organisation account did not finish. Go back and try again.")
    except JoseError as failure:
        log.warning("single sign-on: the ID token did not validate (%s)", type(failure).__name__)
        return _refused("Your organisation account's answer could not be checked. Try again.")
    except requests.RequestException as failure:
        log.warning("single sign-on: the provider could not be reached (%s)", type(failure).__name__)
        return _refused("The organisation sign-in is not answering. Try again in a moment.", 502)
    claims = token.get("userinfo")
    if not claims:
        return _refused("Your organisation account sent no identity. Try again.")
    try:
        result = sso_service.sign_in_with_claims(
            claims,
            role_groups=current_app.config["OIDC_ROLE_GROUPS"],
            groups_claim=current_app.config["OIDC_GROUPS_CLAIM"],
        )
    except Forbidden as refused:
        log.info("single sign-on refused: %s", _reason(refused.message))
        return _refused(refused.message)
    user = result.user
    if result.created:
        log.info("single sign-on created user %s as %s", user.id, user.role.value)
    elif result.previous_role is not None:
        log.info("single sign-on changed user %s from %s to %s", user.id, result.previous_role.value, user.role.value)
    start_web_session(user, via="sso")
    log.info("user %s signed in through single sign-on", user.id)
    return redirect(target)


def _reason(message: str) -> str:
    reasons = {
        sso_service.UNVERIFIED: "email not verified",
        sso_service.UNKNOWN: "no account and no mapped group",
        sso_service.DEACTIVATED: "account deactivated",
        sso_service.NO_PARTNERS: "partner group",
    }
    return reasons.get(message, "refused")
