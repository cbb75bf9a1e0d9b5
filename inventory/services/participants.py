"""Participants: recorded by advocates (or admins), seen only by admins and their own advocate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import add_or_conflict, db
from ..identifiers import normalise_uk_mobile
from ..models import (
    NOT_DELIVERED,
    Actor,
    Area,
    Assessment,
    Asset,
    AssetStatus,
    DataPlan,
    Loan,
    LoanItem,
    Notification,
    NotificationStatus,
    Participant,
    PlanStatus,
    ReferralSource,
    Role,
    Transfer,
    User,
    as_utc,
)
from ..visibility import in_caseload
from .ownership import TransferSummary, transfer_summary
from .reference import find_programme, programme_for_new
from .search import contains
from .swap_record import SwapSummary, swap_summary
from .users import normalise_email


def _advocate(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None or user.role != Role.ADVOCATE or not user.active:
        raise InvalidInput(
            f"{email} is not an active advocate", {"advocate": ["Give the email of an active advocate."]}
        )
    return user


def contact_details(fields: dict) -> tuple[str | None, str | None, dict[str, list[str]]]:
    """The phone (as +447…) and email as stored, and what is wrong with either."""
    errors: dict[str, list[str]] = {}
    phone = email = None
    if fields.get("phone"):
        try:
            phone = normalise_uk_mobile(fields["phone"])
        except ValueError as exc:
            errors["phone"] = [str(exc)]
    if fields.get("email"):
        try:
            email = normalise_email(fields["email"])
        except InvalidInput:
            errors["email"] = ["Not a valid email address."]
    return phone, email, errors


def _enrolled_on(fields: dict, today: date) -> date:
    day = fields.get("enrolled_on") or today
    if day > today:
        raise InvalidInput(
            "The enrolment date is in the future", {"enrolled_on": [f"On or before today ({today.isoformat()})."]}
        )
    return day


def create_participant(fields: dict, actor: Actor, today: date) -> Participant:
    phone, email, errors = contact_details(fields)
    if fields.get("enrolled_on") and fields["enrolled_on"] > today:
        errors["enrolled_on"] = [f"On or before today ({today.isoformat()})."]
    if errors:
        raise InvalidInput("The participant is not valid: see errors for each field", errors)
    programme = programme_for_new(fields["programme"], "new participants")
    if actor.role == Role.ADVOCATE:
        advocate_id = actor.id  # an advocate's new participant is on their own caseload
    elif fields.get("advocate"):
        advocate_id = _advocate(fields["advocate"]).id
    else:
        raise InvalidInput(
            "Say which advocate is responsible for this participant",
            {"advocate": ["Required when an administrator adds a participant."]},
        )
    participant = Participant(
        reference=fields["reference"].strip(),
        name=fields["name"].strip(),
        phone=phone,
        email=email,
        area=Area(fields["area"]),
        referral_source=ReferralSource(fields["referral_source"]),
        programme=programme,
        contact_consent=bool(fields.get("contact_consent")),
        advocate_id=advocate_id,
        enrolled_on=_enrolled_on(fields, today),
    )
    add_or_conflict(
        participant,
        f"Programme {programme.code} already has a participant with reference {fields['reference'].strip()}",
    )
    return participant


# "Not yours" and "not there" answer alike, without the id: nobody learns which ids exist.
NO_PARTICIPANT = "No participant with this id"


def caseload(viewer: Actor) -> sa.Select:
    return sa.select(Participant).where(in_caseload(Participant.advocate_id, viewer))


def get_participant(participant_id: int, viewer: Actor, *, for_update: bool = False) -> Participant:
    """The participant, if the viewer may see them. Someone else's participant is 'not found',
    so an advocate cannot even learn that an id exists."""
    query = caseload(viewer).where(Participant.id == participant_id)
    if for_update:
        query = query.with_for_update(of=Participant).execution_options(populate_existing=True)
    participant = db.session.scalar(query)
    if participant is None:
        raise NotFound(NO_PARTICIPANT)
    return participant


def kit_out_without_assessment(since: date, *, issued_from: date | None = None) -> sa.ColumnElement[bool]:
    """A condition on Participant: kit on loan to them since `since` or before, and no assessment taken
    (the advocate's reminder, their home page and the caseload's filter ask the same). `issued_from`
    narrows it to loans issued from that day, read by the issue-date index (the daily reminder's
    catch-up since its last good run)."""
    long_loans = (
        sa.select(Loan.participant_id)
        .join(LoanItem, LoanItem.loan_id == Loan.id)
        .join(Asset, Asset.id == LoanItem.asset_id)
        .where(Loan.issued_on <= since, LoanItem.returned_on.is_(None), Asset.status == AssetStatus.ON_LOAN)
    )
    if issued_from is not None:
        long_loans = long_loans.where(Loan.issued_on >= issued_from)
    return sa.and_(Participant.id.in_(long_loans), ~sa.exists().where(Assessment.participant_id == Participant.id))


def free_data_ending(today: date, within_days: int) -> sa.ColumnElement[bool]:
    """A condition on Participant: a live data plan of theirs ends within `within_days` days of `today`."""
    return Participant.id.in_(
        sa.select(DataPlan.participant_id).where(
            DataPlan.status_condition(PlanStatus.ACTIVE, today), DataPlan.ends_on <= today + timedelta(days=within_days)
        )
    )


def reminder_not_delivered() -> sa.ColumnElement[bool]:
    """A condition on Participant: a reminder to them failed, or Notify says it did not reach them."""
    return sa.exists().where(
        Notification.participant_id == Participant.id,
        sa.or_(Notification.status == NotificationStatus.FAILED, Notification.delivery_status.in_(NOT_DELIVERED)),
    )


# The caseload's filters (the list's `show`), as the advocate's home page links to them.
ATTENTION = {
    "data_ends_30": "Free data ends within 30 days",
    "data_ends_7": "Free data ends within 7 days",
    "no_assessment": "Kit out, no assessment yet",
    "no_assessment_4_weeks": "Kit out 4 weeks or more, no assessment yet",
    "reminder_not_delivered": "A reminder did not reach them",
}


def attention_condition(show: str, today: date, assessment_weeks: int = 4) -> sa.ColumnElement[bool]:
    if show == "data_ends_30":
        return free_data_ending(today, 30)
    if show == "data_ends_7":
        return free_data_ending(today, 7)
    if show == "no_assessment":
        return kit_out_without_assessment(today)
    if show == "no_assessment_4_weeks":
        return kit_out_without_assessment(today - timedelta(weeks=assessment_weeks))
    if show == "reminder_not_delivered":
        return reminder_not_delivered()
    raise InvalidInput(f"Unknown list '{show}'", {"show": ["Choose one of the lists offered."]})


def participant_query(
    viewer: Actor,
    *,
    programme: str | None = None,
    area: str | None = None,
    reference: str | None = None,
    search: str | None = None,
    show: str | None = None,
    today: date | None = None,
    after: int | None = None,
) -> sa.Select:
    """The viewer's caseload, narrowed. `search` finds a piece of the reference or the name; the pages
    post it (never in a URL), so the API does not offer it as a query parameter. `show` is one of
    ATTENTION's lists (on `today`); `after` starts after that id (paging by key)."""
    query = caseload(viewer)
    if show:
        query = query.where(attention_condition(show, today or date.min))
    if after is not None:
        query = query.where(Participant.id > after)
    if search and search.strip():
        term = search.strip()
        # A plain OR: PostgreSQL ORs the two trigram indexes' bitmaps and ANDs them with the caseload's
        # (advocate_id, id) index, reading only the matches in the caseload. A union of the two look-ups,
        # joined to the caseload afterwards, read every match in the whole table (a national-scale
        # fragment matches thousands) and hashed the caseload to meet them.
        query = query.where(sa.or_(contains(Participant.reference, term), contains(Participant.name, term)))
    if programme:
        query = query.where(Participant.programme_id == find_programme(programme).id)
    if area:
        query = query.where(Participant.area == area)
    if reference:
        query = query.where(Participant.reference == reference.strip())
    return query.order_by(Participant.id)


def reassign(participant_id: int, advocate_email: str, actor: Actor) -> Participant:
    participant = get_participant(participant_id, actor, for_update=True)
    participant.advocate_id = _advocate(advocate_email).id
    db.session.flush()
    # Their reminders move to the new advocate's outbox with them. A sweep queueing reminders at this
    # moment reads the participant FOR SHARE, so it waits for this change and copies the new advocate.
    db.session.execute(
        sa.update(Notification)
        .where(Notification.participant_id == participant.id)
        .values(outbox_advocate_id=participant.advocate_id)
        .execution_options(synchronize_session=False)
    )
    return participant


EDITABLE = ("name", "phone", "email", "area", "referral_source", "contact_consent", "enrolled_on")


def update_participant(participant_id: int, fields: dict, actor: Actor, today: date) -> Participant:
    """Change what the advocate recorded (any of EDITABLE); the reference and programme stay."""
    participant = get_participant(participant_id, actor, for_update=True)
    if participant.erased and any(fields.get(k) for k in ("name", "phone", "email")):
        raise Conflict(f"Participant {participant.reference}'s personal data was erased; it cannot be added back")
    phone, email, errors = contact_details(fields)
    if "enrolled_on" in fields and (fields["enrolled_on"] is None or fields["enrolled_on"] > today):
        errors["enrolled_on"] = [f"A date on or before today ({today.isoformat()})."]
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = ["A name is required."]
    if errors:
        raise InvalidInput("The participant is not valid: see errors for each field", errors)
    for name in EDITABLE:
        if name not in fields:
            continue
        value = {"phone": phone, "email": email}.get(name, fields[name])
        if name in ("area", "referral_source"):
            value = (Area if name == "area" else ReferralSource)(value)
        setattr(participant, name, value.strip() if name == "name" else value)
    db.session.flush()
    return participant


# A case file as the API answers it and a subject access request receives it
# (schemas.participants.ParticipantDetailSchema). Dates are ISO 8601 strings: a case file is also
# kept as JSON, so it is built ready to write.


class PlanSummary(TypedDict):
    id: int
    sim: str
    starts_on: str
    ends_on: str
    status: str
    days_left: int


class LoanItemRecord(TypedDict):
    tag: str
    type: str
    make: str
    model: str
    serial: str | None
    status: str
    returned_on: str | None
    closed_as: str | None


class LoanRecord(TypedDict):
    id: int
    issued_on: str
    due_on: str | None
    overdue_days: int
    agreement_version: int
    signature: str | None  # "drawn", "verbal", or None
    items: list[LoanItemRecord]
    swaps: list[SwapSummary]


class AssessmentRecord(TypedDict):
    id: int
    score: int
    max_score: int
    taken_on: str
    venue: str
    passed: bool


class CaseFile(TypedDict):
    id: int
    reference: str
    name: str | None
    phone: str | None
    email: str | None
    area: str
    referral_source: str
    programme: str
    contact_consent: bool
    advocate: str
    enrolled_on: str
    created_at: str
    erased: bool
    loans: list[LoanRecord]
    data_plans: list[PlanSummary]
    assessments: list[AssessmentRecord]
    transfers: list[TransferSummary]


def casefile(p: Participant, today: date) -> CaseFile:
    """The participant with their loans, data plans, assessments and transfers: what their advocate
    sees, and what a subject access request gets."""
    loans = db.session.scalars(sa.select(Loan).where(Loan.participant_id == p.id).order_by(Loan.id)).all()
    assessments = db.session.scalars(
        sa.select(Assessment).where(Assessment.participant_id == p.id).order_by(Assessment.id)
    ).all()
    transfers = db.session.scalars(
        sa.select(Transfer).where(Transfer.participant_id == p.id).order_by(Transfer.id)
    ).all()
    return {
        "id": p.id,
        "reference": p.reference,
        "name": p.name,
        "phone": p.phone,
        "email": p.email,
        "area": p.area.value,
        "referral_source": p.referral_source.value,
        "programme": p.programme.code,
        "contact_consent": p.contact_consent,
        "advocate": p.advocate.email,
        "enrolled_on": p.enrolled_on.isoformat(),
        "created_at": as_utc(p.created_at).isoformat(),
        "erased": p.erased,
        "loans": [
            {
                "id": loan.id,
                "issued_on": loan.issued_on.isoformat(),
                "due_on": loan.due_on.isoformat() if loan.due_on else None,
                "overdue_days": loan.overdue_days(today),
                "agreement_version": loan.agreement.version,
                "signature": loan.signature.method.value if loan.signature is not None else None,
                "items": [
                    {
                        "tag": i.asset.tag,
                        "type": i.asset.type.value,
                        "make": i.asset.make,
                        "model": i.asset.model,
                        "serial": i.asset.serial,
                        "status": i.asset.status.value,
                        "returned_on": i.returned_on.isoformat() if i.returned_on else None,
                        "closed_as": i.closed_as.value if i.closed_as else None,
                    }
                    for i in loan.items
                ],
                "swaps": [swap_summary(s) for s in loan.swaps],
            }
            for loan in loans
        ],
        "data_plans": [plan_summary(plan, today) for loan in loans for plan in loan.data_plans],
        "assessments": [
            {
                "id": a.id,
                "score": a.score,
                "max_score": a.max_score,
                "taken_on": a.taken_on.isoformat(),
                "venue": a.venue.value,
                "passed": a.passed,
            }
            for a in assessments
        ],
        "transfers": [summary for t in transfers if (summary := transfer_summary(t)) is not None],
    }


def plan_summary(plan: DataPlan, today: date) -> PlanSummary:
    return {
        "id": plan.id,
        "sim": plan.sim.tag,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat(),
        "status": plan.status_on(today).value,
        "days_left": plan.days_left(today),
    }
