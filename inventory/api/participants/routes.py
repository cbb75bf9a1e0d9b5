"""Participants: advocates' own caseload, every participant for admins. Nobody else."""

from __future__ import annotations

from ...auth import current_user, requires
from ...clock import today
from ...permissions import Permission
from ...schemas.participants import (
    ParticipantCreateArgs,
    ParticipantDetailSchema,
    ParticipantQueryArgs,
    ParticipantSchema,
    ParticipantUpdateArgs,
    ReassignArgs,
)
from ...services import participants, privacy
from ..common import Blueprint, paginate

blp = Blueprint(
    "participants",
    __name__,
    url_prefix="/api/v1/participants",
    description="Participants (admins, and advocates for their own caseload)",
)


@blp.route("", methods=["POST"])
@requires(Permission.PARTICIPANTS)
@blp.arguments(ParticipantCreateArgs())
@blp.response(201, ParticipantDetailSchema)
def create_participant(args):
    return participants.casefile(participants.create_participant(args, current_user(), today()), today())


@blp.route("", methods=["GET"])
@requires(Permission.PARTICIPANTS)
@blp.arguments(ParticipantQueryArgs(), location="query")
@blp.response(200, ParticipantSchema(many=True))
@blp.paginate()
def list_participants(args, pagination_parameters):
    return paginate(participants.participant_query(current_user(), **args), pagination_parameters)


@blp.route("/<id:participant_id>", methods=["GET"])
@requires(Permission.PARTICIPANTS)
@blp.response(200, ParticipantDetailSchema)
def get_participant(participant_id):
    """The participant with their loans, data plans, assessments and transfers."""
    return participants.casefile(participants.get_participant(participant_id, current_user()), today())


@blp.route("/<id:participant_id>", methods=["PATCH"])
@requires(Permission.PARTICIPANTS)
@blp.arguments(ParticipantUpdateArgs())
@blp.response(200, ParticipantDetailSchema)
def update_participant(args, participant_id):
    """Change a participant's details or enrolment date (the reference and programme stay)."""
    person = participants.update_participant(participant_id, args, current_user(), today())
    return participants.casefile(person, today())


@blp.route("/<id:participant_id>/reassign", methods=["POST"])
@requires(Permission.PRIVACY)
@blp.arguments(ReassignArgs())
@blp.response(200, ParticipantSchema)
def reassign(args, participant_id):
    """Give the participant to another advocate (admins)."""
    return participants.reassign(participant_id, args["advocate"], current_user())


@blp.route("/<id:participant_id>/export", methods=["GET"])
@requires(Permission.PRIVACY)
@blp.response(200, ParticipantDetailSchema)
def export(participant_id):
    """Everything held about the participant (a subject access request)."""
    return privacy.export(participant_id, current_user(), today())


@blp.route("/<id:participant_id>/erase", methods=["POST"])
@requires(Permission.PRIVACY)
@blp.response(200, ParticipantSchema)
def erase(participant_id):
    """Remove the name and contact details; keep the reference and the asset history."""
    return privacy.erase(participant_id, current_user())
