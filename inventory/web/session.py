"""Signing in and out of the web pages, and one's own account: sessions kept on the server (the cookie
holds a random key), CSRF on every form, an idle timeout, an absolute lifetime, a second check of the
password before sensitive pages."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import HTTPException

from .. import clock
from ..auth import must_set_up_mfa, tokens
from ..errors import DomainError, TooManyAttempts, Unauthorised
from ..extensions import db, login_manager
from ..models import User
from ..services import kept_forms, mfa, passwords, sign_in_rules, web_sessions
from ..services import users as user_service
from .qr import qr_png_data_uri

bp = Blueprint("session", __name__, template_folder="templates")
login_manager.login_view = "session.sign_in"
login_manager.login_message = "Sign in to see that page."

# Where a user with a one-time password may go before choosing their own.
_WHILE_PASSWORD_MUST_CHANGE = frozenset({"session.change_password", "session.sign_out", "web.vendor", "web.static"})
# ... and one whose role needs a second factor, before setting it up.
_WHILE_MFA_MUST_BE_SET_UP = _WHILE_PASSWORD_MUST_CHANGE | {"session.account", "session.mfa_setup", "session.confirm"}
# How long the code page waits after the right password.
_CODE_STEP_SECONDS = 300
# Asked by the timeout warning's script: they do not count as activity.
_QUIET = frozenset({"session.time_left", "session.timed_out"})
# Posts with nothing typed worth keeping when the session has run out.
_NOTHING_TO_KEEP = frozenset({"session.sign_out", "session.keep_alive", "session.sign_in", "session.confirm"})


@login_manager.user_loader
def _load(user_id: str) -> User | None:
    """The signed-in user, only while their session is live on the server: not signed out, not past
    WEB_SESSION_HOURS, the user not deactivated. A copied cookie of an ended session names nothing."""
    live = web_sessions.find(session.get("key"), clock.now())
    if live is None or str(live.user_id) != user_id:
        return None
    g.web_session = live
    return live.user


def start_web_session(user: User, via: str = "password") -> None:
    """Sign the user in on this browser: a new session id (nothing carried over from before). `via`
    is how they proved who they are: "password" (and our second factor), or "sso" (the
    organisation's provider, whose own sign-in policy, such as Entra ID's MFA, applies)."""
    now = clock.now()
    _fresh_session()
    session["key"] = web_sessions.start(user, now)
    session["via"] = via
    login_user(user)
    session["last_seen"] = now.timestamp()


def _fresh_session() -> None:
    """Nothing carried over from before, except the key to a form kept when the last session ran out
    (useless to anyone but the person who typed it: kept_forms checks the account too)."""
    kept = session.get("kept_form")
    session.clear()
    if kept:
        session["kept_form"] = kept


def end_web_session() -> None:
    web_sessions.end(session.get("key"), clock.now())
    logout_user()
    session.clear()


def _safe_next(target: str | None) -> str:
    """Back to where the visitor was going, but only on this site (no open redirects)."""
    if not target:
        return url_for("web.home")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return url_for("web.home")  # no header injection (CR/LF), no browser-specific tricks
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    return target


@bp.before_app_request
def _who_is_asked_afresh():
    """Each request finds its signed-in user again from its own session row. (A request always has
    a fresh `g` in a server; a test or a script that runs requests inside one app context shares it,
    and must not carry the last request's user into this one.)"""
    g.pop("_login_user", None)
    g.pop("web_session", None)


# Files that are the same for everyone (and the /offline shell, which the service worker fetches in the
# background): asking for them is no activity, and they never write the session. A browser fetches many at
# once, each with the cookie it had when it asked; were they to write it back, a late one would undo what a
# page just stored there (a new CSRF token, after signing in), and that page's forms would be refused.
_FILES = frozenset(
    {"web.static", "web.vendor", "web.service_worker", "web.manifest", "web.app_icon", "web.offline_shell"}
)


@bp.after_app_request
def _files_never_write_the_session(response):
    """Whatever touched the session while answering one of _FILES (Flask-Login marks an anonymous session
    not fresh when the app shell renders), its cookie is not sent back: the service worker fetches the shell
    as the sign-in page installs it, and that answer, arriving after the sign-in's own, put the signed-out
    cookie back and signed the person out again."""
    if request.endpoint in _FILES:
        session.modified = False
    return response


@bp.before_app_request
def _idle_timeout():
    if request.endpoint in _FILES or not current_user.is_authenticated or request.blueprint in (None, "static"):
        return None
    idle = current_app.config["WEB_IDLE_MINUTES"] * 60
    now = clock.now().timestamp()
    last = session.get("last_seen", now)
    if now - last > idle:
        if request.endpoint == "session.time_left":  # asking ends nothing: the warning's script decides
            return {"seconds_left": 0}, 200, {"Cache-Control": "no-store"}
        return _signed_out_for_idleness()
    if request.endpoint not in _QUIET:
        session["last_seen"] = now
    if request.method == "POST" and session.get("kept_form") and request.endpoint not in _QUIET:
        kept_forms.forget(session.pop("kept_form"))  # the form came back and was sent again (or abandoned)
    if current_user.must_change_password and request.endpoint not in _WHILE_PASSWORD_MUST_CHANGE:
        flash("Your password was reset. Choose your own before you go on.")
        return redirect(url_for("session.change_password"))
    if (
        session.get("via") != "sso"
        and must_set_up_mfa(current_user.role, current_user.mfa_enabled)
        and request.endpoint not in _WHILE_MFA_MUST_BE_SET_UP
    ):
        flash("Your role sees personal data, so it needs a second factor: set up an authenticator app first.")
        return redirect(url_for("session.account", _anchor="mfa"))
    return None


def _signed_out_for_idleness():
    """End the session; keep what a refused form post held for its author; back to sign-in, whose `next`
    is always a page (a GET): the page the form was on, never the address it posts to (a 405)."""
    minutes, form, kept = current_app.config["KEPT_FORM_MINUTES"], request.form, None
    if request.method == "GET":
        back, action = request.full_path.rstrip("?"), None
    elif request.endpoint == "session.timed_out":  # the warning's script sends the page's form when time is up
        back, action = _safe_next(form.get("__path")), _safe_next(form.get("__action"))
    else:
        back, action = _same_site_referrer(), request.path
    back = _a_page(back)
    if action and request.endpoint not in _NOTHING_TO_KEEP and any(k not in kept_forms.NEVER_KEPT for k in form):
        kept = kept_forms.keep(current_user.id, back, action, form, clock.now(), minutes)
    end_web_session()
    if kept:
        session["kept_form"] = kept
        flash(
            f"You were signed out after {current_app.config['WEB_IDLE_MINUTES']} minutes without activity. "
            f"What you typed is kept for {minutes} minutes: sign in again to get it back."
        )
    else:
        flash(f"You were signed out after {current_app.config['WEB_IDLE_MINUTES']} minutes without activity.")
    sign_in_page = url_for("session.sign_in", next=back)
    if (
        request.endpoint == "session.timed_out"
    ):  # the script goes there itself (a followed redirect would eat the flash)
        return {"seconds_left": 0, "sign_in": sign_in_page}, 200, {"Cache-Control": "no-store"}
    return redirect(sign_in_page)


@login_manager.unauthorized_handler
def _sign_in_first():
    """Signed out already (in another tab, say): to sign-in, coming back to a page, never to a form's
    POST-only address (a 405 after signing in)."""
    flash(login_manager.login_message)
    back = request.full_path.rstrip("?") if request.method == "GET" else _a_page(_same_site_referrer())
    return redirect(url_for("session.sign_in", next=back))


@bp.app_context_processor
def _kept_form():
    def kept_form() -> dict | None:
        """The form kept when this person's last session ran out, if this is its page."""
        if not current_user.is_authenticated:
            return None
        found = kept_forms.find(
            session.get("kept_form"),
            current_user.id,
            request.full_path.rstrip("?"),
            clock.now(),
            current_app.config["KEPT_FORM_MINUTES"],
        )
        return {"action": found.action, "fields": found.fields} if found else None

    return {"kept_form": kept_form}


@bp.route("/session/time-left")
@login_required
def time_left():
    """Seconds until the idle timeout, for the warning's script (asking does not count as activity)."""
    idle = current_app.config["WEB_IDLE_MINUTES"] * 60
    left = idle - (clock.now().timestamp() - session.get("last_seen", clock.now().timestamp()))
    return {"seconds_left": max(0, round(left))}, 200, {"Cache-Control": "no-store"}


@bp.route("/session/keep-alive", methods=["POST"])
@login_required
def keep_alive():
    """ "Stay signed in": any request counts as activity, so this one need only answer."""
    return "", 204


@bp.route("/session/timed-out", methods=["POST"])
@login_required
def timed_out():
    """The warning's script posts the page's form here when the time is up. Past the timeout the session
    ends and the form is kept (see _signed_out_for_idleness); before it (another tab was busy), nothing
    happens and the script waits again."""
    return time_left()


def recently_verified(view):
    """Sensitive pages (administering users, erasing, a second factor) ask for the password again
    when it was last given more than REAUTH_MINUTES ago."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        live = g.get("web_session")
        if live is None or not web_sessions.verified_recently(live, clock.now()):
            # After a form post, come back to the page the form was on (the post itself is not replayed).
            back = request.full_path.rstrip("?") if request.method == "GET" else _same_site_referrer()
            return redirect(url_for("session.confirm", next=back))
        return view(*args, **kwargs)

    return guarded


def _a_page(path: str) -> str:
    """`path` if a GET can open it here, else the home page: a page re-shown after a refused form has the
    form's POST-only address, which must never become a sign-in's `next` (a 405)."""
    try:
        current_app.url_map.bind("localhost").match(urlsplit(path).path, method="GET")
    except HTTPException:
        return url_for("web.home")
    return path


def _same_site_referrer() -> str:
    parts = urlsplit(request.referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return url_for("web.home")
    return _safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    target = _safe_next(request.values.get("next"))
    error, status, headers = None, 200, {}
    if request.method == "POST":
        try:
            user = sign_in_rules.check_password(
                request.form.get("email", ""),
                request.form.get("password", ""),
                address=request.remote_addr or "",
                now=clock.now(),
            )
        except TooManyAttempts as refused:
            error, status, headers = refused.message, 429, {"Retry-After": str(refused.retry_after)}
        except Unauthorised as refused:
            error, status = refused.message, 401
        else:
            if user.mfa_enabled:
                # The second step: the password was right; the session holds only who is half-way in.
                _fresh_session()
                session["half_signed_in"] = {"user": user.id, "at": clock.now().timestamp(), "next": target}
                return redirect(url_for("session.sign_in_code"))
            sign_in_rules.succeeded(user, clock.now())
            start_web_session(user)
            return redirect(target)
    return render_template("sign_in.html", next=target, error=error), status, headers


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    """The second factor's step: the authenticator's code, or a recovery code."""
    pending = session.get("half_signed_in") or {}
    now = clock.now()
    if not pending or now.timestamp() - pending.get("at", 0) > _CODE_STEP_SECONDS:
        session.pop("half_signed_in", None)
        flash("Sign in again: the code page waits five minutes at most.")
        return redirect(url_for("session.sign_in"))
    error, status, headers = None, 200, {}
    if request.method == "POST":
        user = db.session.get(User, pending["user"])
        try:
            if user is None or not user.active:
                raise Unauthorised("This account is deactivated: ask an administrator")
            sign_in_rules.refuse_if_locked(user, now)
            sign_in_rules.check_second_factor(
                user, request.form.get("otp", ""), address=request.remote_addr or "", now=now
            )
        except TooManyAttempts as refused:
            error, status, headers = refused.message, 429, {"Retry-After": str(refused.retry_after)}
        except Unauthorised as refused:
            error, status = refused.message, 401
        else:
            assert user is not None  # checked above
            sign_in_rules.succeeded(user, now)
            target = _safe_next(pending.get("next"))
            start_web_session(user)
            return redirect(target)
    return render_template("sign_in_code.html", error=error), status, headers


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    end_web_session()
    flash("You have signed out.")
    response = redirect(url_for("session.sign_in"))
    # What was kept on this phone for working offline goes too: the service worker's caches and storage.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    """Give the password again before a sensitive page."""
    target = _safe_next(request.values.get("next"))
    error, status = None, 200
    if request.method == "POST":
        try:
            given, now, address = request.form.get("password", ""), clock.now(), request.remote_addr or ""
            if current_user.mfa_enabled and mfa.looks_like_a_code(given):
                sign_in_rules.refuse_if_locked(current_user, now)
                sign_in_rules.check_second_factor(current_user, given, address=address, now=now)
            else:
                sign_in_rules.check_password(current_user.email, given, address=address, now=now)
            sign_in_rules.succeeded(current_user, now)
        except DomainError as refused:
            error, status = refused.message, refused.status
        else:
            web_sessions.mark_verified(g.web_session, clock.now())
            return redirect(target)
    # Someone who came in through single sign-on proves it again the same way (a fresh sign-in there).
    return render_template("confirm.html", next=target, error=error, via_sso=session.get("via") == "sso"), status


@bp.route("/account", methods=["GET"])
@login_required
def account():
    return _account_page()


def _account_page(
    errors: dict | None = None,
    refused: DomainError | None = None,
    token: str | None = None,
    enrolling: tuple[str, str] | None = None,
    recovery_codes: list[str] | None = None,
):
    now = clock.now()
    return render_template(
        "account.html",
        enrolling={"secret": enrolling[0], "qr": qr_png_data_uri(enrolling[1])} if enrolling else None,
        recovery_codes=recovery_codes,
        codes_left=mfa.remaining_recovery_codes(current_user) if current_user.mfa_enabled else None,
        sessions=web_sessions.live_sessions(current_user.id, now),
        this_session=g.web_session.id,
        errors=errors or {},
        refused=refused,
        token=token,
        min_length=passwords.MIN_LENGTH,
    ), (refused.status if refused else 200)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    if request.method == "GET":
        return _account_page()
    try:
        user_service.change_password(
            current_user.id,
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            keep_session=g.web_session.id,
        )
    except DomainError as refused:
        return _account_page({k: " ".join(v) for k, v in (refused.errors or {}).items()}, refused)
    tokens.clear()
    flash("Your password is changed. Your other sessions and API tokens have ended.", "success")
    return redirect(url_for("session.account"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    web_sessions.end_all(current_user.id, keep=g.web_session.id)
    flash("Your other sessions have ended.", "success")
    return redirect(url_for("session.account"))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def account_tokens():
    """Your own API tokens: a new one (shown once), or every one revoked. Nobody makes tokens for
    someone else, so the history only ever says a person did what their own token did."""
    if request.form.get("action") == "create":
        description = (request.form.get("description") or "made on the account page")[:200]
        return _account_page(token=user_service.create_token(current_user, description))
    revoked = user_service.revoke_all_tokens(current_user)
    tokens.clear()
    flash(f"{revoked} API token{'s' if revoked != 1 else ''} revoked.", "success")
    return redirect(url_for("session.account"))


@bp.route("/account/mfa", methods=["POST"])
@recently_verified
def mfa_setup():
    """Set up an authenticator app: a QR code to scan, then a code from the app to switch it on."""
    user = user_service.get_user_by_id(current_user.id, for_update=True)
    if request.form.get("action") == "confirm":
        try:
            codes = mfa.confirm(user, request.form.get("code", ""), clock.now())
        except DomainError as refused:
            return _account_page(
                {"code": " ".join((refused.errors or {}).get("code", [refused.message]))},
                refused,
                enrolling=(user.totp_secret, mfa.provisioning_uri(user)) if user.totp_secret else None,
            )
        tokens.clear()
        return _account_page(recovery_codes=codes)
    try:
        secret, uri = mfa.begin(user)
    except DomainError as refused:
        return _account_page(refused=refused)
    return _account_page(enrolling=(secret, uri))
