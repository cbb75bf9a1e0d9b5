"""Participants: advocates' own caseload, every participant for admins. Nobody else.

Every answer here carries personal data or changes it, so each writes the access log."""

from __future__ import annotations

from ...auth import current_user, requires
from ...clock import today
from ...extensions import writes
from ...models import AccessAction, AccessChannel
from ...permissions import Permission
from ...schemas.participants import (
    ParticipantCreateArgs,
    ParticipantDetailSchema,
    ParticipantQueryArgs,
    ParticipantSchema,
    ParticipantUpdateArgs,
    ReassignArgs,
    SubjectAccessExportSchema,
)
from ...services import access_log, participants, privacy
from ..common import LIST_HEADERS, Blueprint, paginate_by_cursor
from ..idempotent import idempotent

blp = Blueprint(
    "participants",
    __name__,
    url_prefix="/api/v1/participants",
    description="Participants (admins, and advocates for their own caseload)",
)


def _logged(action: AccessAction, participant_ids, what: str) -> None:
    access_log.record(current_user(), action, participant_ids, what, AccessChannel.API)


def _kept_id(casefile: dict) -> dict:
    return {"id": casefile["id"]}  # the case file holds personal data: its copy is never stored


def _casefile_again(kept: dict) -> dict:
    """A retried add answers the case file again, read now (and logged: it is shown again)."""
    person = participants.get_participant(kept["id"], current_user())
    _logged(AccessAction.VIEWED, [person.id], "case file, new participant sent again")
    return ParticipantDetailSchema().dump(participants.casefile(person, today()))


@blp.route("", methods=["POST"])
@requires(Permission.PARTICIPANTS)
@idempotent("api-participants", "adds", keep=_kept_id, replay=_casefile_again)
@blp.arguments(ParticipantCreateArgs())
@blp.response(201, ParticipantDetailSchema)
def create_participant(args):
    person = participants.create_participant(args, current_user(), today())
    _logged(AccessAction.CREATED, [person.id], "new participant")
    return participants.casefile(person, today())


@blp.route("", methods=["GET"])
@writes  # records the access log
@requires(Permission.PARTICIPANTS)
@blp.arguments(ParticipantQueryArgs(), location="query")
@blp.response(200, ParticipantSchema(many=True), headers=LIST_HEADERS)
@blp.paginate()
def list_participants(args, pagination_parameters):
    """In the order added. Follow `X-Next-Cursor` (or the `Link` header) page after page; `page` numbers
    reach the first 10,000 rows only."""
    cursor = args.pop("cursor", None)
    viewer = current_user()
    page, headers = paginate_by_cursor(
        lambda after: participants.participant_query(viewer, after=after, **args),
        pagination_parameters,
        cursor=cursor,
        filters=args,
    )
    what = "participant list, a page by cursor" if cursor else f"participant list page {pagination_parameters.page}"
    _logged(AccessAction.LISTED, [p.id for p in page], what)
    return page, headers


@blp.route("/<id:participant_id>", methods=["GET"])
@writes  # records the access log
@requires(Permission.PARTICIPANTS)
@blp.response(200, ParticipantDetailSchema)
def get_participant(participant_id):
    """The participant with their loans, data plans, assessments and transfers."""
    person = participants.get_participant(participant_id, current_user())
    _logged(AccessAction.VIEWED, [person.id], "case file")
    return participants.casefile(person, today())


@blp.route("/<id:participant_id>", methods=["PATCH"])
@requires(Permission.PARTICIPANTS)
@blp.arguments(ParticipantUpdateArgs())
@blp.response(200, ParticipantDetailSchema)
def update_participant(args, participant_id):
    """Change a participant's details or enrolment date (the reference and programme stay)."""
    person = participants.update_participant(participant_id, args, current_user(), today())
    _logged(AccessAction.CHANGED, [person.id], "changed " + ", ".join(sorted(args)) if args else "no change")
    return participants.casefile(person, today())


@blp.route("/<id:participant_id>/reassign", methods=["POST"])
@requires(Permission.PRIVACY)
@blp.arguments(ReassignArgs())
@blp.response(200, ParticipantSchema)
def reassign(args, participant_id):
    """Give the participant to another advocate (admins)."""
    person = participants.reassign(participant_id, args["advocate"], current_user())
    _logged(AccessAction.REASSIGNED, [person.id], "given to another advocate")
    return person


@blp.route("/<id:participant_id>/export", methods=["GET"])
@writes  # records the access log
@requires(Permission.PRIVACY)
@blp.response(200, SubjectAccessExportSchema)
def export(participant_id):
    """Everything held about the participant (a subject access request), with its access log."""
    data = privacy.export(participant_id, current_user(), today())
    _logged(AccessAction.EXPORTED, [participant_id], "subject access export")
    return data


@blp.route("/<id:participant_id>/erase", methods=["POST"])
@requires(Permission.PRIVACY)
@blp.response(200, ParticipantSchema)
def erase(participant_id):
    """Remove the name and contact details; keep the reference and the asset history."""
    person = privacy.erase(participant_id, current_user())
    _logged(AccessAction.ERASED, [person.id], "erasure")
    return person
