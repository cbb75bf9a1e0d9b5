"""Pages for a loan after it is issued: swap a faulty item, report items lost or stolen (after a
confirmation), the advocate's overdue loans, and the warehouse's SIMs to bar.

Swaps and loss reports are posted from the participant's page (web.issuing) and go back to it; the
services (services.loan_changes) decide what may be done, exactly as for the API."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import today
from ..extensions import db, writes
from ..models import AccessAction, AccessChannel
from ..permissions import Permission
from ..services import access_log, issuing, loan_changes
from . import bp
from .common import attempt, field_errors, form_date, needs
from .issuing import _participant, participant_page

LIST_LIMIT = 200


def _their_loan(participant_id: int, loan_id: int):
    person = _participant(participant_id)
    loan, _ = attempt(lambda: issuing.get_loan(loan_id, current_user))
    if loan is None or loan.participant_id != person.id:  # refused, or not theirs
        abort(404)
    return person, loan


def _logged(participant_id: int, what: str) -> None:
    access_log.record(current_user, AccessAction.CHANGED, [participant_id], what, AccessChannel.WEB)


def _logged_view(participant_id: int) -> None:
    access_log.record(current_user, AccessAction.VIEWED, [participant_id], "loss report page", AccessChannel.WEB)


@bp.route("/participants/<id:participant_id>/loans/<id:loan_id>/swap", methods=["POST"])
@needs(Permission.ISSUE)
def swap_item(participant_id: int, loan_id: int):
    person, loan = _their_loan(participant_id, loan_id)
    form = request.form
    swap, refused = attempt(
        lambda: loan_changes.swap(
            loan.id,
            current_user,
            out=form.get("out", ""),
            replacement=form.get("in", ""),
            location=form.get("location", ""),
            reason=form.get("reason", ""),
            today=today(),
        )
    )
    if refused:
        return participant_page(participant_id, refused=refused, errors=field_errors(refused), status=refused.status)
    assert swap is not None  # not refused
    _logged(person.id, f"loan {loan.id} swap")
    flash(
        f"{swap.in_asset.tag} is on loan in place of {swap.out_asset.tag}, which is in quarantine at "
        f"{swap.location.code}."
        + (" The free data moved to the new SIM." if swap.in_asset.type.value == "sim" else ""),
        "success",
    )
    return redirect(url_for("web.participant_page", participant_id=person.id))


@bp.route("/participants/<id:participant_id>/loans/<id:loan_id>/lost", methods=["POST"])
@writes  # the confirmation shows their name
@needs(Permission.ISSUE)
def report_lost(participant_id: int, loan_id: int):
    """Asks first (retiring kit cannot be undone), then reports."""
    person, loan = _their_loan(participant_id, loan_id)
    form = request.form
    tags, reason = form.getlist("items"), form.get("reason", "")
    report = None
    reported_on, refused = attempt(lambda: form_date(form.get("reported_on"), "reported_on", today()))
    if refused is None and form.get("confirm") != "yes":
        checked, refused = attempt(
            lambda: loan_changes.check_loss_report(
                items=tags, reason=reason, reported_on=reported_on, today=today(), issued_on=loan.issued_on
            )
        )
        if checked is not None:
            _, day, wanted = checked
            _logged_view(person.id)
            return render_template(
                "lost_confirm.html",
                person=person,
                loan=loan,
                reported=[i.asset for i in loan.outstanding() if i.asset.tag in wanted],
                tags=wanted,
                reason=reason,
                reported_on=day,
            )
    elif refused is None:
        report, refused = attempt(
            lambda: loan_changes.report_lost(
                loan.id, current_user, items=tags, reason=reason, reported_on=reported_on, today=today()
            )
        )
    if refused:
        return participant_page(participant_id, refused=refused, errors=field_errors(refused), status=refused.status)
    assert report is not None  # not refused
    _logged(person.id, f"loan {loan.id} items {reason}")
    message = f"{len(tags)} item{'' if len(tags) == 1 else 's'} recorded as {reason} and retired."
    for bar in report.sims_to_bar:
        message += (
            f" SIM {bar.sim.tag} ({bar.sim.network or 'network not recorded'}) is on the warehouse's list to bar."
        )
    flash(message, "success")
    return redirect(url_for("web.participant_page", participant_id=person.id))


@bp.route("/overdue")
@writes  # records the access log
@needs(Permission.PARTICIPANTS)
def overdue():
    """The caller's loans past their return date with something still out (admins: everyone's)."""
    day = today()
    loans = db.session.scalars(loan_changes.overdue_query(current_user, day).limit(LIST_LIMIT)).all()
    access_log.record(
        current_user, AccessAction.LISTED, [loan.participant_id for loan in loans], "overdue loans", AccessChannel.WEB
    )
    return render_template("overdue.html", loans=[loan_changes.overdue_summary(loan, day) for loan in loans])


@bp.route("/sims-to-bar")
@needs(Permission.HANDLE_STOCK)
def sims_to_bar():
    bars = db.session.scalars(loan_changes.sims_to_bar_query().limit(LIST_LIMIT)).all()
    return render_template("sims_to_bar.html", bars=bars)


@bp.route("/sims-to-bar/<tag>/barred", methods=["POST"])
@needs(Permission.HANDLE_STOCK)
def mark_barred(tag: str):
    bar, refused = attempt(lambda: loan_changes.mark_barred(tag, current_user))
    if refused:
        flash(refused.message, "error")
    else:
        assert bar is not None  # not refused
        flash(f"SIM {bar.sim.tag} is marked barred.", "success")
    return redirect(url_for("web.sims_to_bar"))
