"""The lists of loans (/loans) and data plans (/data-plans): filters in the address (GET forms, so the
browser's Back and a copied link return to the same list), paged by a signed cursor. Admins see every
participant's, advocates their own caseload's; every page shown writes the access log, one row for each
participant listed, as the participant list does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..clock import today
from ..errors import DomainError, InvalidInput
from ..extensions import db, writes
from ..models import AccessAction, AccessChannel, DataPlan, Loan, PlanStatus
from ..permissions import Permission
from ..services import access_log, data_plans, loan_list, reference
from ..services.cursors import cursor_after, keyed_cursor_after, read_cursor, read_keyed_cursor
from . import bp, words
from .common import field_errors, form_date, form_dates, needs

PAGE_SIZE = 50
MAX_WITHIN_DAYS = 366


def _address(endpoint: str, query: list[tuple[str, str]]) -> str:
    path = url_for(endpoint)
    return path + ("?" + urlencode(query) if query else "")


def _kept() -> list[tuple[str, str]]:
    """The list's address as asked, without its cursor: each filter as typed (date boxes and all)."""
    return [(k, v) for k, v in request.args.items(multi=True) if k != "cursor" and v]


def _programme(value: str | None) -> str | None:
    if not value:
        return None
    reference.find_programme(value)  # a 422 naming the field when there is no such programme
    return value.strip().upper()


def page_by_cursor(
    endpoint: str,
    filters: dict[str, Any],
    query_after: Callable[[Any], sa.Select],
    key_of: Callable[[Any], tuple] | None,
    size: int | None = None,
) -> tuple[list, str | None, str | None]:
    """One page of a page's list (rows, next page's address, first page's address), for any list paged by
    key: `query_after(None)` selects it all, `query_after(after)` the rows after a row, where `after` is
    its id, or (key_of(row), id) for a list sorted by more than the id. A cursor that is not one this list
    gave out (edited, or from other filters) is a 422 (InvalidInput naming `cursor`) raised from here."""
    size = size or PAGE_SIZE
    cursor = request.args.get("cursor")
    after = None
    if cursor:
        after = read_keyed_cursor(cursor, filters) if key_of else read_cursor(cursor, filters)
    rows = list(db.session.scalars(query_after(after).limit(size + 1)).unique())
    next_url = None
    if len(rows) > size:
        rows, last = rows[:size], rows[size - 1]
        following = keyed_cursor_after(key_of(last), last.id, filters) if key_of else cursor_after(last.id, filters)
        next_url = _address(endpoint, [*_kept(), ("cursor", following)])
    first_url = _address(endpoint, _kept()) if cursor else None
    return rows, next_url, first_url


def _programmes() -> list[tuple[str, str]]:
    return [(p.code, f"{p.name} ({p.code})") for p in reference.list_programmes()]


@bp.route("/loans", endpoint="loans")
@writes  # records the access log
@needs(Permission.PARTICIPANTS)
def loans_page():
    day = today()
    args = form_dates(request.args)
    rows: list[Loan] = []
    next_url = first_url = None
    refused: DomainError | None = None
    try:
        state = args.get("state") or None
        if state is not None and state not in loan_list.LOAN_STATES:
            raise InvalidInput("Choose a state from the list", {"state": ["Choose open, overdue or closed."]})
        programme = _programme(args.get("programme"))
        issued_from = form_date(args.get("issued_from"), "issued_from")
        issued_to = form_date(args.get("issued_to"), "issued_to")
        if issued_from and issued_to and issued_to < issued_from:
            raise InvalidInput(
                "The dates are the wrong way round", {"issued_to": ["Issued to must be on or after issued from."]}
            )
        rows, next_url, first_url = page_by_cursor(
            "web.loans",
            {"state": state, "programme": programme, "issued_from": issued_from, "issued_to": issued_to},
            lambda after: loan_list.loan_query(
                current_user,
                day,
                after=after,
                state=state,
                programme=programme,
                issued_from=issued_from,
                issued_to=issued_to,
            ),
            None,
        )
    except InvalidInput as bad:
        refused = bad
    access_log.record(
        current_user, AccessAction.LISTED, [loan.participant_id for loan in rows], "loans list", AccessChannel.WEB
    )
    return render_template(
        "loans.html",
        rows=[(loan, loan_list.state_of(loan, day)) for loan in rows],
        args=args,
        errors=field_errors(refused),
        refused=refused,
        next_url=next_url,
        first_url=first_url,
        states=list(loan_list.LOAN_STATES.items()),
        programmes=_programmes(),
        filtered=bool(_kept()),
        today=day,
    ), (refused.status if refused else 200)


@bp.route("/data-plans", endpoint="data_plans")
@writes  # records the access log
@needs(Permission.READ_PLANS)
def data_plans_page():
    day = today()
    args = request.args
    rows: list[DataPlan] = []
    next_url = first_url = None
    refused: DomainError | None = None
    try:
        status = args.get("status") or None
        if status is not None and status not in {s.value for s in PlanStatus}:
            raise InvalidInput("Choose a status from the list", {"status": ["Choose active, ended or ended early."]})
        within_text = (args.get("within") or "").strip()
        within = None
        if within_text:
            if not within_text.isdigit() or not 0 <= int(within_text) <= MAX_WITHIN_DAYS:
                raise InvalidInput(
                    "Say how many days, from 0 to 366", {"within": ["Enter a whole number of days, from 0 to 366."]}
                )
            within = int(within_text)
        programme = _programme(args.get("programme"))
        rows, next_url, first_url = page_by_cursor(
            "web.data_plans",
            {"status": status, "ending_within": within, "programme": programme},
            lambda after: data_plans.plan_query(
                current_user, day, after=after, status=status, ending_within=within, programme=programme
            ).options(selectinload(DataPlan.participant), selectinload(DataPlan.loan)),
            data_plans.plan_key,
        )
    except InvalidInput as bad:
        refused = bad
    access_log.record(
        current_user, AccessAction.LISTED, [plan.participant_id for plan in rows], "data plans list", AccessChannel.WEB
    )
    return render_template(
        "data_plans.html",
        rows=[(plan, plan.status_on(day).value, plan.days_left(day)) for plan in rows],
        args=args,
        errors=field_errors(refused),
        refused=refused,
        next_url=next_url,
        first_url=first_url,
        statuses=[(s.value, words.status(s.value)) for s in PlanStatus],
        programmes=_programmes(),
        filtered=bool(_kept()),
    ), (refused.status if refused else 200)
