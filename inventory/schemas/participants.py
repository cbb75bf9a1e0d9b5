"""What the participants API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import Area, ReferralSource
from .access_log import AccessRecordSchema
from .common import Derived
from .fields import Choice, IsoDate, IsoDateTime, Text, cursor_field
from .loans import DataPlanSchema, SwapSchema, TransferSchema


class LoanItemSchema(Schema):
    tag = fields.Str()
    type = fields.Str()
    make = fields.Str()
    model = fields.Str()
    serial = fields.Str(allow_none=True)
    status = fields.Str(metadata={"description": "the asset's status now"})
    returned_on = IsoDate(allow_none=True)  # the day it left the loan, however it left (closed_as)
    closed_as = fields.Str(allow_none=True, metadata={"enum": ["returned", "swapped", "lost", "stolen", None]})


class CaseLoanSchema(Schema):
    id = fields.Int()
    issued_on = IsoDate()
    due_on = IsoDate(allow_none=True)
    overdue_days = fields.Int(metadata={"description": "days past its return date with something still out"})
    agreement_version = fields.Int(metadata={"description": "the version of the programme's agreement accepted"})
    signature = fields.Str(allow_none=True, metadata={"enum": ["drawn", "verbal", None]})
    items = fields.List(fields.Nested(LoanItemSchema))
    swaps = fields.List(fields.Nested(SwapSchema))


class AssessmentSchema(Schema):
    id = fields.Int()
    score = fields.Int()
    max_score = fields.Int()
    taken_on = IsoDate()
    venue = fields.Str()
    passed = fields.Bool()


class ParticipantSchema(Schema):
    id = fields.Int()
    reference = fields.Str()
    name = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    area = fields.Str()
    referral_source = fields.Str()
    programme: fields.Field = Derived(lambda p: p.programme.code)  # a Str in the detail schema
    contact_consent = fields.Bool()
    advocate: fields.Field = Derived(lambda p: p.advocate.email)
    enrolled_on: fields.Field = fields.Date()
    erased = fields.Bool()


class ParticipantDetailSchema(ParticipantSchema):
    """Dumped from services.participants.casefile()."""

    programme = fields.Str()
    advocate = fields.Str()
    enrolled_on = IsoDate()
    created_at = IsoDateTime()
    loans = fields.List(fields.Nested(CaseLoanSchema))
    data_plans = fields.List(fields.Nested(DataPlanSchema))
    assessments = fields.List(fields.Nested(AssessmentSchema))
    transfers = fields.List(fields.Nested(TransferSchema))


class DocumentSchema(Schema):
    kind = fields.Str(metadata={"enum": ["handover_record", "ownership_certificate"]})
    loan = fields.Int(allow_none=True)
    transfer = fields.Int(allow_none=True)
    href = fields.Str(metadata={"description": "where to download it (a PDF)"})


class SubjectAccessExportSchema(ParticipantDetailSchema):
    """Dumped from services.privacy.export(): the case file, who has accessed it, and their documents."""

    documents = fields.List(
        fields.Nested(DocumentSchema), metadata={"description": "handover records and certificates, as PDFs"}
    )

    access_log = fields.List(
        fields.Nested(AccessRecordSchema),
        metadata={"description": "who opened, listed, exported, changed or erased this record, oldest first"},
    )


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
    cursor = cursor_field()


class ReassignArgs(Schema):
    advocate = Text(254, required=True)
