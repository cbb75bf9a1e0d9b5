"""Changes to a participant's case from their page, each asking first: extending a data plan (a confirmation
page), giving them to another advocate (admins), and erasing their personal data (admins, with the password
again). Every one calls the service the API calls and writes the personal-data access log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import today
from ..extensions import db, writes
from ..models import AccessAction, DataPlan
from ..permissions import Permission
from ..schemas.loans import ExtendArgs
from ..schemas.participants import ReassignArgs
from ..services import data_plans, participants, privacy
from . import bp, words
from .common import attempt, load_form, needs
from .issuing import _logged, _participant
from .session import recently_verified


def _plan_of(person, plan_id: int) -> DataPlan:
    plan = db.session.get(DataPlan, plan_id)
    if plan is None or plan.participant_id != person.id:  # someone else's answers as none at all
        abort(404)
    return plan


@bp.route("/participants/<id:participant_id>/data-plans/<id:plan_id>/extend", methods=["GET", "POST"])
@writes  # records the access log
@needs(Permission.ISSUE)
def extend_plan(participant_id: int, plan_id: int):
    """Extend a SIM's free data by whole months: a page that says what will change, then the change."""
    person = _participant(participant_id)
    plan = _plan_of(person, plan_id)
    errors: dict[str, str] = {}
    refused = None
    if request.method == "POST":
        values, errors = load_form(ExtendArgs(), request.form)
        if not errors:
            done, refused = attempt(lambda: data_plans.extend(plan.id, values["months"], current_user, today()))
            if done is not None:
                _logged(AccessAction.CHANGED, [person.id], f"data plan {plan.id} extended")
                flash(f"The free data of SIM {done.sim.tag} now ends on {words.ukdate(done.ends_on)}.", "success")
                return redirect(url_for("web.participant_page", participant_id=person.id))
    _logged(AccessAction.VIEWED, [person.id], "extend data plan page")
    most = min(data_plans.MAX_EXTENSION_MONTHS, DataPlan.MAX_MONTHS - plan.months)
    return render_template(
        "plan_extend.html",
        person=person,
        plan=plan,
        months=[(str(n), f"{n} month{'s' if n != 1 else ''}") for n in range(1, most + 1)],
        errors=errors,
        refused=refused,
        form=request.form,
    ), (422 if errors else refused.status if refused else 200)


@bp.route("/participants/<id:participant_id>/reassign", methods=["POST"])
@writes
@needs(Permission.PRIVACY)
def reassign_participant(participant_id: int):
    person = _participant(participant_id)
    values, errors = load_form(ReassignArgs(), request.form)
    done, refused = (
        (None, None) if errors else attempt(lambda: participants.reassign(person.id, values["advocate"], current_user))
    )
    if done is None:
        flash((refused.message if refused else "Choose the advocate to give them to."), "error")
        return redirect(url_for("web.participant_edit", participant_id=person.id))
    _logged(AccessAction.REASSIGNED, [person.id], "given to another advocate")
    flash(f"{person.reference} is now on {done.advocate.email}'s caseload.", "success")
    return redirect(url_for("web.participant_page", participant_id=person.id))


@bp.route("/participants/<id:participant_id>/erase", methods=["GET", "POST"])
@writes
@needs(Permission.PRIVACY)
@recently_verified  # the password again, within REAUTH_MINUTES
def erase_participant(participant_id: int):
    """Say what erasing removes and keeps, then erase (nothing else asks the same question twice)."""
    person = _participant(participant_id)
    if request.method == "POST" and request.form.get("confirm") == "yes":
        privacy.erase(person.id, current_user)
        _logged(AccessAction.ERASED, [person.id], "erasure")
        flash(f"The personal data of {person.reference} is erased. Their reference and history stay.", "success")
        return redirect(url_for("web.participant_page", participant_id=person.id))
    refused = request.method == "POST"  # posted without ticking the confirmation
    if not refused:
        _logged(AccessAction.VIEWED, [person.id], "erase page")
    return render_template("participant_erase.html", person=person, unconfirmed=refused), (422 if refused else 200)
