"""Signing in and out of the web pages: sessions (Flask-Login), CSRF on every form, an idle timeout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import clock
from ..errors import Unauthorised
from ..extensions import db, login_manager
from ..models import User
from ..services import users as user_service

bp = Blueprint("session", __name__, template_folder="templates")
login_manager.login_view = "session.sign_in"
login_manager.login_message = "Sign in to see that page."


@login_manager.user_loader
def _load(user_id: str):
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


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
def _idle_timeout():
    if not current_user.is_authenticated or request.blueprint in (None, "static"):
        return None
    idle = current_app.config["WEB_IDLE_MINUTES"] * 60
    now = clock.now().timestamp()
    last = session.get("last_seen", now)
    if now - last > idle:
        logout_user()
        session.clear()
        flash(f"You were signed out after {current_app.config['WEB_IDLE_MINUTES']} minutes without activity.")
        return redirect(url_for("session.sign_in", next=request.full_path.rstrip("?")))
    session["last_seen"] = now
    return None


def start_web_session(user: User) -> None:
    """Sign the user in to the web pages, however they proved who they are (password or single sign-on)."""
    session.clear()  # a fresh session on sign-in: nothing carried over from before
    login_user(user)
    session["last_seen"] = clock.now().timestamp()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    target = _safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        try:
            user = user_service.check_password(request.form.get("email", ""), request.form.get("password", ""))
        except Unauthorised as refused:
            error = refused.message
        else:
            start_web_session(user)
            return redirect(target)
    return render_template("sign_in.html", next=target, error=error), (401 if error else 200)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("session.sign_in"))
