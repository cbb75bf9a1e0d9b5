"""Admin pages: programmes, organisations, locations, users and tokens; outcome reports with charts and
CSV; the personal-data access log; and (admins and advocates) the reminders outbox and data plans ending
soon."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import Schema
from sqlalchemy.orm import selectinload

from .. import clock
from ..auth import tokens as auth_tokens
from ..clock import today
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..models import (
    Area,
    DataPlan,
    LocationKind,
    NotificationStatus,
    OwnershipRule,
    Role,
    User,
    as_utc,
)
from ..permissions import Permission
from ..schemas.fields import MAX_ID
from ..schemas.reference import LocationCreateArgs, OrganisationCreateArgs, ProgrammeCreateArgs
from ..schemas.users import UserCreateArgs
from ..services import access_log, agreements, data_plans, notifications, reference, reports, users
from . import bp
from .charts import bar_chart
from .common import attachment, attempt, field_errors, form_date, form_dates, load_form, needs
from .lists import page_by_cursor
from .session import recently_verified

# What each reference form creates, with the API schema that checks it and the service that stores it.
REFERENCE_FORMS: dict[str, tuple[type[Schema], Callable[..., Any]]] = {
    "programme": (ProgrammeCreateArgs, reference.create_programme),
    "organisation": (OrganisationCreateArgs, reference.create_organisation),
    "location": (LocationCreateArgs, reference.create_location),
}
ENDING_DAYS = 30  # "free data ending soon"
PLANS_SHOWN = 25  # the soonest; the data plans list has them all
UNDELIVERED_SHOWN = 50
OUTBOX_PAGE = 50


def _admin_page(errors=None, refused=None, which=None, status=200):
    organisations = reference.list_organisations(current_user)
    return render_template(
        "admin.html",
        programmes=reference.list_programmes(),
        organisations=organisations,
        locations=reference.list_locations(current_user),
        templates=reference.list_kit_templates(),
        errors=errors or {},
        refused=refused,
        which=which,
        org_options=[(o.code, f"{o.code} — {o.name}") for o in organisations],
        form=request.form,
        rules=[r.value for r in OwnershipRule],
        kinds=[k.value for k in LocationKind],
        areas=[a.value for a in Area],
    ), status


@bp.route("/admin", endpoint="admin")
@needs(Permission.WRITE_REFERENCE)
def admin_page():
    return _admin_page()


@bp.route("/admin/<any(programme, organisation, location):which>", methods=["POST"])
@needs(Permission.WRITE_REFERENCE)
def admin_create(which: str):
    schema, create = REFERENCE_FORMS[which]
    values, errors = load_form(schema(), request.form)
    if errors:
        return _admin_page(errors, InvalidInput(f"The {which} is not complete: see the form"), which, 422)
    made, refused = attempt(lambda: create(**values))
    if refused:
        return _admin_page(field_errors(refused), refused, which, refused.status)
    assert made is not None  # not refused
    flash(f"{which.capitalize()} {made.code} added.", "success")
    return redirect(url_for("web.admin"))


@bp.route("/admin/users", methods=["GET", "POST"])
@needs(Permission.MANAGE_USERS)
@recently_verified
def admin_users():
    errors: dict[str, str]
    errors, refused, created = {}, None, None
    if request.method == "POST":
        values, errors = load_form(UserCreateArgs(), request.form)
        if not errors:
            created, refused = attempt(
                lambda: users.create_user(
                    values["email"],
                    values["role"],
                    name=values["name"],
                    organisation=values["organisation"],
                    password=values.get("password") or None,
                )
            )
            errors = field_errors(refused)
    return _users_page(errors=errors, refused=refused, created=created)


USERS_PAGE = 50


def _users_page(*, errors=None, refused=None, created=None, reset=None):
    # A generated or one-time password is shown once, on this page only, for the admin to hand over.
    no_mfa = request.args.get("mfa") == "off"
    people: list = []
    next_url = first_url = None
    try:
        people, next_url, first_url = page_by_cursor(
            "web.admin_users",
            {"mfa": no_mfa},
            lambda after: users.user_query(without_second_factor=no_mfa, after=after),
            users.user_key,
            USERS_PAGE,
        )
    except InvalidInput as bad:
        refused = refused or bad
    now = clock.now()
    return render_template(
        "admin_users.html",
        people=people,
        no_mfa=no_mfa,
        next_url=next_url,
        first_url=first_url,
        locked_ids={u.id for u in people if u.locked_until is not None and as_utc(u.locked_until) > now},
        roles=[r.value for r in Role],
        organisations=reference.list_organisations(current_user),
        errors=errors or {},
        refused=refused,
        created=created,
        reset=reset,
        form=request.form if not created and request.endpoint == "web.admin_users" else {},
    ), (422 if errors else refused.status if refused else 200)


# What the buttons beside each user do (services.users), and what the page then says.
USER_ACTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "deactivate": (
        lambda user_id, actor: users.deactivate(user_id, actor),
        "{email} is deactivated: signed out everywhere.",
    ),
    "reactivate": (lambda user_id, actor: users.reactivate(user_id), "{email} can sign in again."),
    "unlock": (lambda user_id, actor: users.unlock(user_id), "{email} can try their password again now."),
    "remove-second-factor": (
        users.remove_second_factor,
        "{email} signs in with their password alone until they set up a new authenticator.",
    ),
    "revoke-tokens": (lambda user_id, actor: _revoke_tokens(user_id), "The API tokens of {email} are revoked."),
}


def _revoke_tokens(user_id: int) -> User:
    person = users.get_user_by_id(user_id)
    users.revoke_all_tokens(person)
    return person


@bp.route(
    "/admin/users/<id:user_id>/<any(deactivate, reactivate, unlock, "
    '"revoke-tokens", "reset-password", "remove-second-factor"):action>',
    methods=["POST"],
)
@needs(Permission.MANAGE_USERS)
@recently_verified
def admin_user_action(user_id: int, action: str):
    if action == "reset-password":
        reset, refused = attempt(lambda: users.reset_password(user_id, current_user))
        auth_tokens.clear()
        return _users_page(refused=refused, reset=reset)
    act, said = USER_ACTIONS[action]
    person, refused = attempt(lambda: act(user_id, current_user))
    if refused:
        return _users_page(refused=refused)
    assert person is not None  # not refused
    auth_tokens.clear()  # this worker forgets at once; the others within a second
    flash(said.format(email=person.email), "success")
    return redirect(url_for("web.admin_users"))


def _report_args(asked: dict[str, str]) -> tuple[dict, InvalidInput | None]:
    """The report's filters from the form as `form_dates` read it (From and To as GOV.UK date boxes, or
    `from`/`to` as YYYY-MM-DD in older links): the service's arguments, or the refusal naming the field."""
    args: dict[str, Any]  # the dates below are dates
    args = {"programme": asked.get("programme") or None, "area": asked.get("area") or None}
    try:
        args["date_from"] = form_date(asked.get("from"), "from")
        args["date_to"] = form_date(asked.get("to"), "to")
    except InvalidInput as refused:
        return args, refused
    if args["area"] and args["area"] not in {a.value for a in Area}:
        return args, InvalidInput(f"Unknown area '{args['area']}'", {"area": ["Choose an area from the list."]})
    return args, None


def _report_query(args: dict) -> dict[str, str]:
    """The CSV link's query for the report shown: the same filters, the dates as YYYY-MM-DD."""
    names = {"programme": "programme", "area": "area", "date_from": "from", "date_to": "to"}
    return {
        names[key]: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in args.items()
        if value and key in names
    }


@bp.route("/reports", endpoint="reports")
@needs(Permission.REPORTS)
def reports_page():
    refused: DomainError | None
    asked = form_dates(request.args)
    args, refused = _report_args(asked)
    report = None
    if refused is None:
        report, refused = attempt(lambda: reports.outcomes(today=today(), **args))
    charts = []
    if report:
        rows = report["rows"]
        charts = [
            bar_chart("People helped, by area", [(r["area"], r["participants"]) for r in rows]),
            bar_chart("Assessments passed, by area", [(r["area"], r["assessments_passed"]) for r in rows]),
            bar_chart("Items that became people's own, by area", [(r["area"], r["assets_transferred"]) for r in rows]),
            bar_chart("Items issued, by type", sorted(report["totals"]["assets_issued"].items())),
        ]
    return render_template(
        "reports.html",
        report=report,
        charts=charts,
        refused=refused,
        errors=field_errors(refused),
        args=asked,
        csv_query=_report_query(args),
        programmes=[(p.code, f"{p.name} ({p.code})") for p in reference.list_programmes()],
        areas=[(a.value, a.value) for a in Area],
        counts=[c for c in reports.COUNTS if c != "assets_issued"],
    ), (refused.status if refused else 200)


@bp.route("/reports/outcomes.csv")
@needs(Permission.REPORTS)
def reports_csv():
    refused: DomainError | None
    args, refused = _report_args(form_dates(request.args))
    if refused is None:
        report, refused = attempt(lambda: reports.outcomes(today=today(), **args))
    if refused:
        flash(refused.message, "error")
        return redirect(url_for("web.reports"))
    assert report is not None  # not refused
    return attachment(reports.as_csv(report), "text/csv", f"outcomes-{report['from']}-to-{report['to']}.csv")


@bp.route("/reminders", endpoint="reminders")
@needs(Permission.READ_PLANS)
def reminders_page():
    """Free data ending soon (the soonest few, then a link to the whole list), what Notify could not deliver,
    and the outbox a page at a time: each part a fixed number of rows read from an index, whatever the
    caseload's size."""
    status = request.args.get("status") if request.args.get("status") in {s.value for s in NotificationStatus} else None
    day = today()
    plans = db.session.scalars(
        data_plans.plan_query(current_user, day, ending_within=ENDING_DAYS)
        .options(selectinload(DataPlan.participant))
        .limit(PLANS_SHOWN + 1)
    ).all()
    # What Notify could not deliver: the advocate may need to ring, or to correct a number.
    undelivered = db.session.scalars(
        notifications.outbox_query(current_user, undelivered=True).limit(UNDELIVERED_SHOWN)
    ).all()
    outbox: list = []
    next_url = first_url = None
    refused = None
    try:
        outbox, next_url, first_url = page_by_cursor(
            "web.reminders",
            {"status": status},
            lambda after: notifications.outbox_query(current_user, status=status, after=after),
            None,
            OUTBOX_PAGE,
        )
    except InvalidInput as bad:  # a cursor this list did not give out
        refused = bad
    return render_template(
        "reminders.html",
        plans=plans[:PLANS_SHOWN],
        more_plans=len(plans) > PLANS_SHOWN,
        ending_days=ENDING_DAYS,
        outbox=outbox,
        next_url=next_url,
        first_url=first_url,
        refused=refused,
        undelivered=undelivered,
        today=day,
        status=status,
        statuses=[s.value for s in NotificationStatus],
        counts=notifications.outbox_counts(current_user),
    ), (refused.status if refused else 200)


ACCESS_LOG_PAGE = 50


def _access_log_args(asked: dict) -> tuple[dict, InvalidInput | None]:
    """The log's filters from the page's address: `from` and `to` as GOV.UK date boxes (from-day, from-month,
    from-year), or as one ISO date (older links and bookmarks)."""
    args: dict[str, Any] = {"user": (asked.get("user") or "").strip() or None}
    participant = (asked.get("participant") or "").strip()
    try:
        if participant:
            if not participant.isdigit() or not 0 < int(participant) <= MAX_ID:
                raise InvalidInput(
                    f"'{participant}' is not a participant id", {"participant": ["A participant's number."]}
                )
            args["participant"] = int(participant)
        args["date_from"] = form_date(asked.get("from"), "from")
        args["date_to"] = form_date(asked.get("to"), "to")
    except InvalidInput as refused:
        return args, refused
    return args, None


@bp.route("/admin/access-log", endpoint="access_log")
@needs(Permission.ACCESS_LOG)
def access_log_page():
    """Who opened, listed, exported, changed or erased whose record: newest first, by participant
    reference (never the name). Reading the log is not logged: it holds no personal data."""
    asked = form_dates(request.args)
    args, refused = _access_log_args(asked)
    entries: list = []
    next_url = first_url = None
    if refused is None:
        try:
            entries, next_url, first_url = page_by_cursor(
                "web.access_log",
                args,
                lambda after: access_log.entry_query(after=after, **args),
                access_log.entry_key,
                ACCESS_LOG_PAGE,
            )
        except InvalidInput as bad:
            refused = bad
    filters = {k: v for k, v in asked.items() if k in ("participant", "user", "from", "to") and v}
    return render_template(
        "admin_access_log.html",
        entries=entries,
        next_url=next_url,
        first_url=first_url,
        filters=filters,
        refused=refused,
        errors=field_errors(refused),
    ), (refused.status if refused else 200)


@bp.route("/admin/programmes/<code>/agreements", methods=["GET", "POST"])
@needs(Permission.WRITE_REFERENCE)
def admin_agreements(code: str):
    """A programme's loan-agreement texts, newest (current) first, and a form for the next version."""
    programme, refused = attempt(lambda: reference.get_programme(code))
    if programme is None:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        text = request.form.get("text", "").replace("\r\n", "\n")  # browsers send CRLF; the text is kept as typed
        added, refused = attempt(lambda: agreements.add_version(programme, text, current_user, today()))
        if added:
            flash(f"Version {added.version} of {programme.code}'s agreement is now current.", "success")
            return redirect(url_for("web.admin_agreements", code=programme.code))
        errors = field_errors(refused)
    return render_template(
        "admin_agreements.html",
        programme=programme,
        versions=agreements.versions(programme),
        errors=errors,
        refused=refused,
        form=request.form,
    ), (refused.status if refused else 200)
