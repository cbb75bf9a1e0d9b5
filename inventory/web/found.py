"""The found-device page: a label opened by someone signed out (whoever found a lost tablet) shows the
programme's name, a number to call and an "I found this" form, and nothing else about the item; staff
get a sign-in link that brings them back to it. The warehouse sees the reports at /found."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..errors import DomainError, TooManyAttempts
from ..permissions import Permission
from ..services import found as found_service
from . import bp
from .common import attempt, field_errors, needs


def found_page(code: str, *, refused: DomainError | None = None, status: int = 200, thanked: bool = False):
    view, missing = attempt(lambda: found_service.public_view(code))
    if view is None:
        assert missing is not None
        return render_template("found.html", view=None, message=missing.message), missing.status
    headers = {"Retry-After": str(refused.retry_after)} if isinstance(refused, TooManyAttempts) else {}
    return (
        render_template(
            "found.html",
            view=view,
            refused=refused,
            errors=field_errors(refused),
            form=request.form if refused else {},
            thanked=thanked,
            sign_in=url_for("session.sign_in", next=url_for("web.asset_page", code=view.tag)),
        ),
        status,
        headers,
    )


@bp.route("/a/<code>/found", methods=["POST"])
def report_found(code: str):
    """Anyone may send it (CSRF still applies); the rate limit is per address."""
    config = current_app.config
    made, refused = attempt(
        lambda: found_service.report(
            code,
            where_found=request.form.get("where_found", ""),
            contact=request.form.get("contact"),
            address_key=found_service.address_hash(request.remote_addr or "", config["SECRET_KEY"]),
            now=clock.now(),
            per_hour=config["FOUND_REPORTS_PER_HOUR"],
        )
    )
    if refused:
        return found_page(code, refused=refused, status=refused.status)
    if current_user.is_authenticated:
        flash("Thank you: the report is with the warehouse.", "success")
        return redirect(url_for("web.found_reports"))
    return found_page(code, thanked=True)


@bp.route("/found", endpoint="found_reports")
@needs(Permission.HANDLE_STOCK)
def found_reports():
    """Items someone outside the service says they found, not dealt with yet."""
    return render_template("found_reports.html", reports=found_service.open_reports())


@bp.route("/found/<id:report_id>/dealt-with", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def found_dealt_with(report_id: int):
    done, refused = attempt(lambda: found_service.deal_with(report_id, current_user, clock.now()))
    if done is None:  # refused
        flash(refused.message if refused else "Not found", "error")
    else:
        flash(f"The report about {done.tag} is marked dealt with.", "success")
    return redirect(url_for("web.found_reports"))
