"""Participants: advocates' own caseload, every participant for admins. Nobody else."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...auth import current_user, requires
from ...clock import today
from ...models import Area, ReferralSource
from ...permissions import Permission
from ...services import participants, privacy
from ..common import Blueprint, Choice, Text, paginate

blp = Blueprint(
    "participants",
    __name__,
    url_prefix="/api/v1/participants",
    description="Participants (admins, and advocates for their own caseload)",
)


class ParticipantSchema(Schema):
    id = fields.Int()
    reference = fields.Str()
    name = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    area = fields.Str()
    referral_source = fields.Str()
    programme: fields.Field = fields.Function(lambda p: p.programme.code)  # a Str in the detail schema
    contact_consent = fields.Bool()
    advocate: fields.Field = fields.Function(lambda p: p.advocate.email)
    enrolled_on: fields.Field = fields.Date()
    erased = fields.Bool()


class ParticipantDetailSchema(ParticipantSchema):
    """Dumped from services.participants.casefile()."""

    programme = fields.Str()
    advocate = fields.Str()
    enrolled_on = fields.Str()
    created_at = fields.Str()
    loans = fields.List(fields.Dict())
    data_plans = fields.List(fields.Dict())
    assessments = fields.List(fields.Dict())
    transfers = fields.List(fields.Dict())


class ParticipantCreateArgs(Schema):
    reference = Text(40, required=True, validate=validate.Length(min=1, max=40))
    name = Text(200, required=True, validate=validate.Length(min=1, max=200))
    phone = Text(32, load_default=None, allow_none=True)
    email = Text(254, load_default=None, allow_none=True)
    area = Choice(Area, required=True)
    referral_source = Choice(ReferralSource, required=True)
    programme = Text(20, required=True)
    contact_consent = fields.Bool(load_default=False)
    advocate = Text(
        254,
        load_default=None,
        allow_none=True,
        metadata={"description": "the responsible advocate's email (admins only)"},
    )
    enrolled_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "the day they joined the programme; default today"}
    )


class ParticipantUpdateArgs(Schema):
    """What can be changed after a participant is added (send only what changes)."""

    name = Text(200, validate=validate.Length(min=1, max=200))
    phone = Text(32, allow_none=True)
    email = Text(254, allow_none=True)
    area = Choice(Area)
    referral_source = Choice(ReferralSource)
    contact_consent = fields.Bool()
    enrolled_on = fields.Date()


class ParticipantQueryArgs(Schema):
    programme = Text(20)
    area = Choice(Area)
    reference = Text(40)


class ReassignArgs(Schema):
    advocate = Text(254, required=True)


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
@blp.response(200)
def export(participant_id):
    """Everything held about the participant (a subject access request)."""
    return privacy.export(participant_id, current_user(), today())


@blp.route("/<id:participant_id>/erase", methods=["POST"])
@requires(Permission.PRIVACY)
@blp.response(200, ParticipantSchema)
def erase(participant_id):
    """Remove the name and contact details; keep the reference and the asset history."""
    return privacy.erase(participant_id, current_user())
