"""Advocates' pages, phone first: find or add a participant, issue a kit, and the participant's page
(loans, data plans and days left, assessments, certificates, returns).

Names and contact details appear only here, to admins and the participant's own advocate; URLs carry
participant ids, never names (a search is a POST, so names stay out of addresses and server logs). Every
page that shows a participant's name or contact details, or changes their record, writes the
personal-data access log (services.access_log)."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import today
from ..errors import DomainError, InvalidInput
from ..extensions import db, writes
from ..models import AccessAction, AccessChannel, Area, Participant, ReferralSource, Role, Venue
from ..permissions import Permission, allowed, whole_caseload
from ..schemas.loans import AssessmentCreateArgs
from ..schemas.participants import ParticipantCreateArgs, ParticipantUpdateArgs
from ..services import (
    access_log,
    agreements,
    assessments,
    certificates,
    handovers,
    issuing,
    loan_changes,
    participants,
    reference,
    returns,
    users,
)
from ..services.cursors import cursor_after, read_cursor
from . import bp, words
from .common import attachment, attempt, field_errors, form_date, form_dates, load_form, needs, tags_in

PAGE_SIZE = 50


def _logged(action: AccessAction, participant_ids, what: str) -> None:
    access_log.record(current_user, action, participant_ids, what, AccessChannel.WEB)


@bp.route("/participants", methods=["GET", "POST"], endpoint="participants")
@writes  # records the access log
@needs(Permission.PARTICIPANTS)
def participants_list():
    """The caseload, a page at a time. A search (by reference or name) is posted so that names never reach
    a URL; the lists that need attention (`show`) and the pages' cursors are in the address."""
    search = (request.form.get("search") or "").strip() if request.method == "POST" else ""
    show = request.args.get("show") or None
    refused: DomainError | None = None
    if show not in (None, *participants.ATTENTION):
        show, refused = None, InvalidInput("That list is not one we offer: choose one below")
    filters = {"show": show}
    after = None
    if request.method == "GET" and request.args.get("cursor"):
        after, refused = attempt(lambda: read_cursor(request.args["cursor"], filters))
    query = participants.participant_query(
        current_user, search=search, show=show, today=today(), after=after if refused is None else None
    )
    people = db.session.scalars(query.limit(PAGE_SIZE + 1)).all()
    next_url = None
    if len(people) > PAGE_SIZE and not search:
        cursor = cursor_after(people[PAGE_SIZE - 1].id, filters)
        next_url = url_for("web.participants", show=show, cursor=cursor)
    # What was searched for may be a name: the log says only that it was a search.
    _logged(AccessAction.LISTED, [p.id for p in people[:PAGE_SIZE]], "participant search" if search else "participants")
    return render_template(
        "participants.html",
        people=people[:PAGE_SIZE],
        more=len(people) > PAGE_SIZE and bool(search),
        next_url=next_url,
        first_url=url_for("web.participants", show=show) if after else None,
        search=search,
        show=show,
        lists=list(participants.ATTENTION.items()),
        refused=refused,
        whole=whole_caseload(current_user.role),
    ), (422 if refused else 200)


@bp.route("/participants/new", methods=["GET", "POST"])
@needs(Permission.PARTICIPANTS)
def participant_new():
    errors: dict[str, str]
    errors, refused = {}, None
    if request.method == "POST":
        values, errors = load_form(ParticipantCreateArgs(), request.form)
        if errors:  # every mistake at once: the contact details too, as the service would check them
            _, _, contact_errors = participants.contact_details(request.form)
            errors |= {name: " ".join(messages) for name, messages in contact_errors.items()}
        if not errors:
            person, refused = attempt(lambda: participants.create_participant(values, current_user, today()))
            if person:
                _logged(AccessAction.CREATED, [person.id], "new participant")
                flash(f"{person.reference} added. Now issue their kit.", "success")
                return redirect(url_for("web.issue_page", participant_id=person.id))
            errors = field_errors(refused)
    return render_template(
        "participant_new.html",
        errors=errors,
        refused=refused,
        form=form_dates(request.form),
        programmes=[(p.code, f"{p.code} — {p.name}") for p in reference.list_programmes(active_only=True)],
        areas=[(a.value, a.value) for a in Area],
        sources=[(s.value, words.label(s)) for s in ReferralSource],
        pick_advocate=current_user.role == Role.ADMIN,
    ), 422 if errors or refused else 200


def _participant(participant_id: int) -> Participant:
    person, refused = attempt(lambda: participants.get_participant(participant_id, current_user))
    if person is None:  # refused
        abort(404)
    return person


@bp.route("/participants/<id:participant_id>")
@writes  # records the access log
@needs(Permission.PARTICIPANTS)
def participant_page(participant_id: int, *, refused=None, errors=None, status: int = 200):
    person = _participant(participant_id)
    day = today()
    case = participants.casefile(person, day)
    _logged(AccessAction.VIEWED, [person.id], "case file page")
    return render_template(
        "participant.html",
        person=person,
        case=case,
        leaving=loan_changes.leaving_tags(case),
        today=day,
        venues=[(v.value, words.label(v)) for v in Venue],
        locations=reference.list_locations(current_user, active_only=True),
        refused=refused,
        errors=errors or {},
        form=form_dates(request.form),
    ), status


@bp.route("/participants/<id:participant_id>/edit", methods=["GET", "POST"])
@writes  # records the access log
@needs(Permission.PARTICIPANTS)
def participant_edit(participant_id: int):
    """Change what was recorded: contact details, consent, area, referral, the enrolment date."""
    person = _participant(participant_id)
    if person.erased:
        abort(404)
    errors: dict[str, str]
    errors, refused = {}, None
    form = (
        form_dates(request.form)
        if request.method == "POST"
        else {
            "name": person.name,
            "phone": person.phone or "",
            "email": person.email or "",
            "area": person.area.value,
            "referral_source": person.referral_source.value,
            "enrolled_on": person.enrolled_on.isoformat(),
            "contact_consent": "yes" if person.contact_consent else "",
        }
    )
    if request.method == "GET":  # the form holds their stored details
        _logged(AccessAction.VIEWED, [person.id], "edit page")
    if request.method == "POST":
        given = form_dates(request.form)
        values, errors = load_form(ParticipantUpdateArgs(), given)
        if not errors:
            # An emptied phone or email field removes it; an unticked box withdraws consent.
            values |= {name: None for name in ("phone", "email") if not given.get(name, "").strip()}
            values["contact_consent"] = given.get("contact_consent") == "yes"
            done, refused = attempt(lambda: participants.update_participant(person.id, values, current_user, today()))
            if done:
                _logged(AccessAction.CHANGED, [person.id], "changed " + ", ".join(sorted(values)))
                flash("Their details are saved.", "success")
                return redirect(url_for("web.participant_page", participant_id=person.id))
            errors = field_errors(refused)
    return render_template(
        "participant_edit.html",
        person=person,
        advocates=[(u.email, u.email) for u in users.active_advocates()]
        if allowed(current_user.role, Permission.PRIVACY)
        else [],
        errors=errors,
        refused=refused,
        form=form,
        areas=[(a.value, a.value) for a in Area],
        sources=[(s.value, words.label(s)) for s in ReferralSource],
    ), 422 if errors or refused else 200


@bp.route("/participants/<id:participant_id>/issue", methods=["GET", "POST"])
@writes  # records the access log
@needs(Permission.ISSUE)
def issue_page(participant_id: int):
    person = _participant(participant_id)
    refused, errors = None, {}
    if request.method == "POST":
        tags = tags_in(request.form.get("items"))
        # A double tap on a slow phone connection sends the form twice: the key makes the second a replay.
        key = (request.form.get("idempotency_key") or "")[:100] or None
        typed = form_dates(request.form)
        issued_on, refused = attempt(lambda: form_date(typed.get("issued_on"), "issued_on", today()))
        if issued_on is not None:  # not refused (and the default is today)
            body = {"participant": person.id, "items": tags, "issued_on": issued_on.isoformat()}
            signature = _signature_in(request.form)
            body |= {"signature": signature}
            shown = request.form.get("agreement_version", "")
            result, refused = attempt(
                lambda: issuing.issue(
                    participant_id=person.id,
                    items=tags,
                    agreement_accepted=request.form.get("agreement") == "yes",
                    issued_on=issued_on,
                    actor=current_user,
                    today=today(),
                    idempotency_key=key,
                    body_hash=issuing.request_hash(body),
                    signature=signature,
                    agreement_version=int(shown) if shown.isdigit() and len(shown) < 8 else None,
                )
            )
            if result:
                receipt, replayed = result
                if not replayed:  # a double tap issues, and is logged, once
                    _logged(AccessAction.CHANGED, [person.id], f"loan {receipt['id']} issued")
                return render_template("issued.html", person=person, receipt=receipt)
        errors = field_errors(refused) | _signature_errors(refused)
        if refused is not None and not errors:  # refused by item (every bad tag named): the tags' field
            errors = {"items": refused.message}
    _logged(AccessAction.VIEWED, [person.id], "issue page")  # the page shows their name
    return render_template(
        "issue.html",
        person=person,
        agreement=agreements.current(person.programme),
        refused=refused,
        errors=errors,
        form=form_dates(request.form),
        key=secrets.token_urlsafe(16),
        today=today(),
    ), (refused.status if refused else 200)


def _signature_in(form) -> dict | None:
    """The signature fields of a form (signature_method, signature_svg, signature_note), as the API takes
    them; a pad left blank is no signature (services.signatures says whether one is needed)."""
    method = form.get("signature_method")
    if method == "verbal":
        return {"method": "verbal", "note": form.get("signature_note", "")}
    if method == "drawn" and form.get("signature_svg", "").strip():
        return {"method": "drawn", "svg": form["signature_svg"]}
    return None


def _signature_errors(refused) -> dict[str, str]:
    """A refused signature's message, for beside the pad: {"signature": "..."}."""
    if refused is None or not isinstance(refused.errors, dict) or "signature" not in refused.errors:
        return {}
    given = refused.errors["signature"]
    parts = given.values() if isinstance(given, dict) else [given]
    return {"signature": " ".join(m for messages in parts for m in messages)}


@bp.route("/participants/<id:participant_id>/assessments", methods=["POST"])
@needs(Permission.ISSUE)
def record_assessment(participant_id: int):
    person = _participant(participant_id)
    values, errors = load_form(AssessmentCreateArgs(), request.form.to_dict() | {"participant": str(person.id)})
    if errors:
        return participant_page(
            participant_id,
            errors=errors,
            status=422,
            refused=InvalidInput("The assessment is not complete: see the form"),
        )
    result, refused = attempt(
        lambda: assessments.record(
            participant_id=person.id,
            score=values["score"],
            max_score=values["max_score"],
            taken_on=values["taken_on"],
            venue=values["venue"],
            actor=current_user,
            today=today(),
            signature=_signature_in(request.form),
        )
    )
    if refused:
        errors = field_errors(refused) | _signature_errors(refused)
        return participant_page(participant_id, refused=refused, errors=errors, status=refused.status)
    assert result is not None  # not refused
    assessment, transfer = result
    _logged(AccessAction.CHANGED, [person.id], "assessment recorded")
    outcome = "passed" if assessment.passed else "did not pass"
    message = f"Assessment recorded: {assessment.score}/{assessment.max_score}, {outcome}."
    if transfer:
        message += f" {len(transfer.items)} item(s) are now theirs: download the certificate below."
    flash(message, "success")
    return redirect(url_for("web.participant_page", participant_id=person.id))


@bp.route("/participants/<id:participant_id>/certificates/<id:transfer_id>")
@writes  # records the access log
@needs(Permission.PARTICIPANTS)
def certificate(participant_id: int, transfer_id: int):
    person = _participant(participant_id)
    transfer, refused = attempt(lambda: certificates.get_transfer(transfer_id, current_user))
    if transfer is None or transfer.participant_id != person.id:  # refused, or not theirs
        abort(404)
    _logged(AccessAction.VIEWED, [person.id], "ownership certificate")  # it names its holder
    return attachment(certificates.certificate_pdf(transfer), "application/pdf", f"certificate-{transfer.id}.pdf")


@bp.route("/participants/<id:participant_id>/loans/<id:loan_id>/handover")
@writes  # records the access log
@needs(Permission.ISSUE)
def handover(participant_id: int, loan_id: int):
    person = _participant(participant_id)
    loan, refused = attempt(lambda: issuing.get_loan(loan_id, current_user))
    if loan is None or loan.participant_id != person.id:  # refused, or not theirs
        abort(404)
    _logged(AccessAction.VIEWED, [person.id], f"handover record, loan {loan.id}")  # it names them
    response = attachment(handovers.handover_pdf(loan), "application/pdf", f"handover-{loan.id}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/participants/<id:participant_id>/loans/<id:loan_id>/return", methods=["POST"])
@needs(Permission.RETURN, Permission.PARTICIPANTS)
def return_loan(participant_id: int, loan_id: int):
    person = _participant(participant_id)
    loan, refused = attempt(lambda: issuing.get_loan(loan_id, current_user))
    if loan is None or loan.participant_id != person.id:  # refused, or not theirs
        abort(404)
    items = request.form.getlist("items")
    done, refused = attempt(
        lambda: returns.return_items(
            loan.id,
            current_user,
            location=request.form.get("location", ""),
            today=today(),
            items=items or None,
            note=request.form.get("note") or None,
            signature=_signature_in(request.form),
        )
    )
    if refused:
        return participant_page(participant_id, refused=refused, errors=field_errors(refused), status=refused.status)
    flash(
        f"Returned to {request.form['location']} (into quarantine, to be checked before they go out again).", "success"
    )
    return redirect(url_for("web.participant_page", participant_id=person.id))
