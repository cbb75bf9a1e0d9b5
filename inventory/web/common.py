"""What every page module shares: role checks, running a service call from a form, reading tags from forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import TypeVar

from flask import Response, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from marshmallow import Schema, ValidationError, fields

from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..permissions import Permission, allowed
from .words import error_sentence

T = TypeVar("T")
_TAG_SEPARATORS = re.compile(r"[\s,;]+")


def needs(*permissions: Permission):
    """A signed-in user whose role holds every permission; anyone else gets a page that says so (403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not all(allowed(current_user.role, p) for p in permissions):
                return render_template("forbidden.html"), 403
            return view(*args, **kwargs)

        return guarded

    return decorate


def attempt(call: Callable[[], T]) -> tuple[T | None, DomainError | None]:
    """Run a service call for a form: its result, or the refusal to show beside the form (nothing kept)."""
    try:
        return call(), None
    except DomainError as refused:
        db.session.rollback()
        return None, refused


def tags_in(text: str | None) -> list[str]:
    """Tags typed or scanned into one field, one per line or separated by commas or spaces."""
    return [t for t in _TAG_SEPARATORS.split(text or "") if t]


def field_errors(refused: DomainError | None) -> dict[str, str]:
    """A refusal's per-field messages, keyed by field, for showing beside each input."""
    if refused is None or not isinstance(refused.errors, dict):
        return {}
    errors = refused.errors.get("json", refused.errors)
    return {name: _sentences(name, messages) for name, messages in errors.items() if isinstance(messages, (list, str))}


def _sentences(name: str, messages) -> str:
    """A field's messages from a schema or a service, each as a sentence that says what to do."""
    if not isinstance(messages, list):
        messages = [messages]
    return " ".join(error_sentence(name, m if isinstance(m, str) else str(m)) for m in messages)


def form_dates(form) -> dict[str, str]:
    """A form's values with each GOV.UK date input (name-day, name-month, name-year; macros.html
    `date_input`) put back together as one ISO date under its name: 2026-12-01. Parts that do not make a
    date are kept as typed (2026-13-1), so the schema or `form_date` names the field; empty parts are
    nothing given."""
    values = form.to_dict() if hasattr(form, "to_dict") else dict(form)
    for key in [k for k in values if k.endswith("-day")]:
        name = key.removesuffix("-day")
        day, month, year = (values.pop(f"{name}-{part}", "").strip() for part in ("day", "month", "year"))
        if not (day or month or year):
            values.setdefault(name, "")
            continue
        if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
            values[name] = f"{year}-{int(month):02d}-{int(day):02d}"
        else:
            values[name] = f"{year}-{month}-{day}"
    return values


def print_labels(select: Callable[[], list], form):
    """A label sheet (or ZPL job) from a label form (sheet, first free position, printer) for what
    `select` picks: (download, None), or (None, the refusal to show). A sheet too big to make in the
    request is a background job: the answer is then a redirect to its page."""
    from ..services import labels

    def printout():
        start = (form.get("start_position") or "1").strip()
        if not start.isdigit():
            raise InvalidInput(
                "The first free label is a whole number, counting from 1", {"start_position": ["A whole number."]}
            )
        things, fmt, sheet = select(), form.get("format", "pdf"), form.get("sheet", labels.DEFAULT_TEMPLATE)
        if labels.in_background(things):
            job = labels.start_sheet_job(
                things, fmt=fmt, template_code=sheet, start_position=int(start), requested_by=current_user
            )
            return redirect(url_for("web.job_page", job_id=job.id))
        return attachment(
            *labels.printout(things, fmt=fmt, template_code=sheet, start_position=int(start), config=current_app.config)
        )

    return attempt(printout)


def form_date(text: str | None, field: str, default: date | None = None) -> date | None:
    """A date typed or picked in a form (YYYY-MM-DD), or a refusal that names the field."""
    if not text or not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"'{text}' is not a date", {field: ["Enter a real date, with the day, month and year, like 1 12 2026"]}
        ) from None


def attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    """A file to download (label sheets, certificates, CSV reports)."""
    return Response(body, mimetype=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def load_form(schema: Schema, form) -> tuple[dict, dict[str, str]]:
    """Check a form with the API's own schema for the same request: (values, {field: message}).
    Empty inputs count as not given, as a browser sends every field of a form."""
    fields = form_dates(form)
    given = {name: value for name, value in fields.items() if value != "" and name != "csrf_token"}
    given = {name: _typed(schema.fields[name], value) for name, value in given.items() if name in schema.fields}
    try:
        return schema.load(given), {}
    except ValidationError as invalid:
        return {}, {name: _sentences(name, messages) for name, messages in invalid.normalized_messages().items()}


def _typed(field: fields.Field, value: str):
    """A form gives text; the API's schemas take JSON numbers strictly, so whole numbers become numbers."""
    if isinstance(field, fields.Integer) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        return int(value)
    if isinstance(field, fields.List):
        return [_typed(field.inner, part) for part in _TAG_SEPARATORS.split(value) if part]
    return value
