"""What the loans API takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import SignatureMethod, Venue, as_utc
from ..services import data_plans, issuing, signatures
from .common import Derived, PartnerNarrowing
from .fields import Choice, Id, IsoDate, Text, cursor_field


class DataPlanSchema(Schema):
    """Dumped from services.participants.plan_summary()."""

    id = fields.Int()
    sim = fields.Str(metadata={"description": "the SIM's tag"})
    starts_on = IsoDate()
    ends_on = IsoDate(metadata={"description": "the last day of free data"})
    status = fields.Str(metadata={"enum": ["active", "expired", "ended"]})
    days_left = fields.Int(metadata={"description": "days of free data left after today"})


class TransferSchema(Schema):
    """Dumped from services.ownership.transfer_summary()."""

    id = fields.Int()
    assets = fields.List(fields.Str(), metadata={"description": "tags of the assets that became the participant's"})
    transferred_on = IsoDate()


class SwapSchema(Schema):
    """Dumped from services.swap_record.swap_summary()."""

    out = fields.Str(metadata={"description": "the faulty item's tag (now in quarantine)"})
    out_serial = fields.Str(allow_none=True)
    type = fields.Str()
    in_tag = fields.Str(data_key="in", metadata={"description": "the replacement's tag"})
    in_serial = fields.Str(allow_none=True)
    swapped_on = IsoDate()
    location = fields.Str(metadata={"description": "where the faulty item went into quarantine"})
    reason = fields.Str()


class AgreementRefSchema(Schema):
    version = fields.Int(metadata={"description": "the version of the programme's agreement accepted"})
    sha256 = fields.Str(metadata={"description": "sha256 of that version's exact text (UTF-8)"})


class SignatureArgs(Schema):
    """How the participant signed. Checked fully by services.signatures (the pages send the same)."""

    method = Choice(SignatureMethod, required=True)
    svg = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=signatures.MAX_SVG_CHARS),
        metadata={
            "description": "drawn: an <svg> with a viewBox holding only <path d> and <polyline points> strokes; "
            "it is rewritten from its numbers, and anything else is refused"
        },
    )
    note = Text(
        signatures.MAX_NOTE,
        load_default=None,
        allow_none=True,
        metadata={"description": "verbal: that it was read aloud and agreed, and why they could not sign"},
    )


class LoanSchema(PartnerNarrowing, Schema):
    """Dumped from services.issuing.loan_receipt(). A partner taking a return at their hub sees the items
    only: not the loan's id, its participant or data plans (DESIGN.md: never to whom)."""

    PARTNER_FIELDS = frozenset({"items", "kits"})

    id = fields.Int()
    participant = fields.Int()
    items = fields.List(fields.Str())
    kits = fields.List(fields.Str())
    issued_on = IsoDate()
    agreement = fields.Nested(AgreementRefSchema)
    signature = fields.Str(allow_none=True, metadata={"enum": ["drawn", "verbal", None]})
    data_plans = fields.List(fields.Nested(DataPlanSchema))
    transfer = fields.Nested(TransferSchema, allow_none=True)
    due_on = IsoDate(allow_none=True, metadata={"description": "loan_only programmes: when it is due back"})
    swaps = fields.List(fields.Nested(SwapSchema), metadata={"description": "faulty items replaced, oldest first"})


class SwapArgs(Schema):
    out = Text(40, required=True, metadata={"description": "the faulty item's tag, on this loan"})
    in_tag = Text(
        40, required=True, data_key="in", metadata={"description": "the replacement's tag: in stock, same type"}
    )
    location = Text(20, required=True, metadata={"description": "where the faulty item goes into quarantine"})
    reason = Text(500, required=True, validate=validate.Length(min=1, max=500))


class LostArgs(Schema):
    items = fields.List(Text(40), required=True, validate=validate.Length(min=1, max=issuing.MAX_ITEMS))
    reason = Choice(["lost", "stolen"], required=True)
    reported_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "default: today"})


class SimToBarSchema(Schema):
    """A lost or stolen SIM for the warehouse to have barred: the SIM only, nothing of its participant."""

    tag = fields.Str(attribute="sim.tag")
    iccid = fields.Str(attribute="sim.iccid", allow_none=True)
    msisdn = fields.Str(attribute="sim.msisdn", allow_none=True)
    network = fields.Str(attribute="sim.network", allow_none=True)
    reason = fields.Str(attribute="reason.value", metadata={"enum": ["lost", "stolen"]})
    reported_on = fields.Date()
    barred_at = Derived(
        lambda b: as_utc(b.barred_at).isoformat() if b.barred_at else None, nullable=True, format="date-time"
    )


class LossReportSchema(Schema):
    """Dumped from the loss report's loan receipt and its SIMs to bar."""

    loan = fields.Nested(LoanSchema)
    sims_to_bar = fields.List(fields.Nested(SimToBarSchema), metadata={"description": "ask their networks to bar them"})


class OverdueLoanSchema(Schema):
    """A loan past its return date with something still out (the participant by id and reference only)."""

    id = fields.Int()
    participant = fields.Int()
    reference = fields.Str(metadata={"description": "the programme's reference for the participant"})
    issued_on = IsoDate()
    due_on = IsoDate()
    days_overdue = fields.Int()
    items = fields.List(fields.Str(), metadata={"description": "tags still out"})


class LoanCreateArgs(Schema):
    participant = Id(required=True)
    items = fields.List(
        Text(40),
        required=True,
        validate=validate.Length(min=1, max=issuing.MAX_ITEMS),
        metadata={"description": "asset or kit tags"},
    )
    agreement_accepted = fields.Bool(required=True)
    agreement_version = fields.Int(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(1, 1_000_000),
        metadata={"description": "the version the participant was shown; refused (409) if no longer current"},
    )
    signature = fields.Nested(SignatureArgs, load_default=None, allow_none=True)
    issued_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "default: today"})


class ReturnArgs(Schema):
    items = fields.List(
        Text(40),
        load_default=None,
        validate=validate.Length(min=1, max=issuing.MAX_ITEMS),
        metadata={"description": "tags to take back; leave out for everything outstanding"},
    )
    location = Text(20, required=True)
    note = Text(500, load_default=None, allow_none=True)
    signature = fields.Nested(SignatureArgs, load_default=None, allow_none=True)


class AssetReturnArgs(Schema):
    location = Text(20, required=True)
    note = Text(500, load_default=None, allow_none=True)
    signature = fields.Nested(SignatureArgs, load_default=None, allow_none=True)


class AssessmentCreateArgs(Schema):
    participant = Id(required=True)
    score = fields.Int(required=True, strict=True, validate=validate.Range(0, 10_000))
    max_score = fields.Int(required=True, strict=True, validate=validate.Range(1, 10_000))
    taken_on = fields.Date(required=True)
    venue = Choice(Venue, required=True)
    signature = fields.Nested(
        SignatureArgs,
        load_default=None,
        allow_none=True,
        metadata={"description": "kept on the ownership transfer a pass brings, and shown on its certificate"},
    )


class AssessmentResultSchema(Schema):
    id = fields.Int()
    passed = fields.Bool()
    transfer = fields.Nested(TransferSchema, allow_none=True)


class PlanQueryArgs(Schema):
    status = Choice(["active", "expired", "ended"])
    ends_before = fields.Date()
    participant = Id(strict=False)
    ending_within = fields.Int(
        validate=validate.Range(0, 366), metadata={"description": "active plans ending within this many days"}
    )
    cursor = cursor_field()


class ExtendArgs(Schema):
    months = fields.Int(required=True, strict=True, validate=validate.Range(1, data_plans.MAX_EXTENSION_MONTHS))
