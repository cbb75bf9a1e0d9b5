"""Programmes, organisations, locations and kit templates: what goes in and what comes out."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from ..models import Area, AssetType, LocationKind, OwnershipRule, Programme, as_utc
from .common import Derived, code_of
from .fields import Choice, IsoDate, Text, cursor_field

CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", error="Use letters, digits, '-' and '_' only, starting with a letter or digit."
)


def Active(deactivated: str):  # noqa: N802
    """The `active` flag every reference record answers with, saying what deactivated means for it."""
    return fields.Bool(metadata={"description": f"false once deactivated: {deactivated}"})


def Code(required: bool = True):  # noqa: N802
    return Text(20, required=required, validate=[validate.Length(min=1, max=20), CODE])


class ProgrammeSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    connectivity_months = fields.Int()
    ownership_rule = fields.Str()
    assessment_name = fields.Str()
    pass_mark = fields.Int()
    reminder_days = fields.List(fields.Int())
    loan_weeks = fields.Int(allow_none=True, metadata={"description": "loan_only: weeks until a loan is due back"})
    signature_required = fields.Bool()
    contact_phone = fields.Str(allow_none=True, metadata={"description": "shown on the found-device page"})
    active = Active("it takes no new participants, assets or loans; what it has carries on")


class AgreementSchema(Schema):
    version = fields.Int()
    sha256 = fields.Str(metadata={"description": "sha256 of the exact text, as UTF-8"})
    created_on = IsoDate()
    text = fields.Str()


class AgreementCreateArgs(Schema):
    # Not stripped: the text is kept exactly as written, and its sha256 is of exactly that.
    text = fields.Str(required=True, validate=validate.Length(min=1, max=20_000))


class ProgrammeCreateArgs(Schema):
    code = Code()
    name = Text(200, required=True, validate=validate.Length(min=1, max=200))
    connectivity_months = fields.Int(required=True, strict=True, validate=validate.Range(1, 24))
    ownership_rule = Choice(OwnershipRule, required=True)
    assessment_name = Text(200, required=True, validate=validate.Length(min=1, max=200))
    pass_mark = fields.Int(
        required=True, strict=True, validate=validate.Range(0, 100), metadata={"description": "percent"}
    )
    reminder_days = fields.List(
        fields.Int(strict=True, validate=validate.Range(0, 365)),
        load_default=None,
        validate=validate.Length(max=10),
        metadata={"description": "days before a data plan ends; default [30, 7, 0]"},
    )
    loan_weeks = fields.Int(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(1, Programme.MAX_LOAN_WEEKS),
        metadata={"description": "loan_only programmes: weeks until each loan is due back (gives loans a due_on)"},
    )
    signature_required = fields.Bool(
        load_default=False, metadata={"description": "a loan needs the participant's signature (drawn or verbal)"}
    )
    contact_phone = Text(
        40,
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\+?[0-9 ()\-]{6,40}$", error="A phone number: digits, spaces, +, ( ) and -."),
        metadata={"description": "the number the found-device page gives to call"},
    )


class ProgrammeUpdateArgs(Schema):
    """What an administrator may change of a programme (its code and ownership rule stay: loans and
    transfers were made under them)."""

    name = Text(200, validate=validate.Length(min=1, max=200))
    connectivity_months = fields.Int(strict=True, validate=validate.Range(1, 24))
    assessment_name = Text(200, validate=validate.Length(min=1, max=200))
    pass_mark = fields.Int(strict=True, validate=validate.Range(0, 100), metadata={"description": "percent"})
    reminder_days = fields.List(
        fields.Int(strict=True, validate=validate.Range(0, 365)),
        validate=validate.Length(max=10),
        metadata={"description": "days before a data plan ends"},
    )
    contact_phone = Text(
        40,
        allow_none=True,
        validate=validate.Regexp(r"^\+?[0-9 ()\-]{6,40}$", error="A phone number: digits, spaces, +, ( ) and -."),
        metadata={"description": "the number the found-device page gives to call"},
    )


class OrganisationSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    active = Active("no new locations or users; its partner users were deactivated with it")


class OrganisationCreateArgs(Schema):
    code = Code()
    name = Text(200, required=True, validate=validate.Length(min=1, max=200))


class OrganisationUpdateArgs(Schema):
    name = Text(200, required=True, validate=validate.Length(min=1, max=200))


class LocationSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    kind = fields.Str()
    area = fields.Str()
    organisation = Derived(lambda loc: code_of(loc.organisation), nullable=True)
    active = Active("it receives nothing (deliveries, moves, consignments, stocktakes, returns); its history stays")


class LocationCreateArgs(Schema):
    code = Code()
    name = Text(200, required=True, validate=validate.Length(min=1, max=200))
    kind = Choice(LocationKind, required=True)
    area = Choice(Area, required=True)
    organisation = Text(20, load_default=None, allow_none=True)


class LocationUpdateArgs(Schema):
    name = Text(200, validate=validate.Length(min=1, max=200))
    kind = Choice(LocationKind)
    area = Choice(Area)
    organisation = Text(20, allow_none=True)


class TemplateLineSchema(Schema):
    type = Choice(AssetType, required=True)
    count = fields.Int(required=True, strict=True, validate=validate.Range(1, 20))


class TemplateLineOutSchema(Schema):
    type = fields.Str()
    count = fields.Int()


class KitTemplateSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    programme = Derived(lambda t: t.programme.code)
    contents = fields.List(fields.Nested(TemplateLineOutSchema), attribute="lines")
    active = Active("retired: no new kit is built against it")


def _each_type_once(value) -> None:
    kinds = [line["type"] for line in value if "type" in line]  # a line without one has its own error
    if len(kinds) != len(set(kinds)):
        raise ValidationError("List each type once, with its count.")


class KitTemplateCreateArgs(Schema):
    code = Code()
    name = Text(200, required=True, validate=validate.Length(min=1, max=200))
    programme = Text(20, required=True)
    contents = fields.List(fields.Nested(TemplateLineSchema), required=True, validate=validate.Length(min=1, max=20))

    @validates("contents")
    def _each_type_once(self, value, **kwargs):
        _each_type_once(value)


class KitTemplateUpdateArgs(Schema):
    """A template's name and contents may change (its code and programme stay: kits name them).
    Kits already built keep their items."""

    name = Text(200, validate=validate.Length(min=1, max=200))
    contents = fields.List(
        fields.Nested(TemplateLineSchema),
        validate=validate.Length(min=1, max=20),
        metadata={"description": "the whole new contents: types left out are taken off the template"},
    )

    @validates("contents")
    def _each_type_once(self, value, **kwargs):
        _each_type_once(value)


class ReferenceChangeSchema(Schema):
    """One row of the reference-data audit trail (services.reference_history). Reference data holds no
    personal data: a change keeps the old and new values."""

    id = fields.Int()
    at = Derived(lambda c: as_utc(c.at).isoformat(), format="date-time")
    user = Derived(
        lambda c: c.user.email if c.user else None, nullable=True, description="who, by email; null: the CLI"
    )
    kind = fields.Str(metadata={"description": "programme, organisation, location or kit-template"})
    code = fields.Str()
    action = Derived(lambda c: c.action.value, description="changed, deactivated or reactivated")
    changes = fields.Dict(metadata={"description": "{field: [old, new]} for each field that changed"})
    note = fields.Str(allow_none=True, metadata={"description": "what went with it (partner users deactivated)"})


class ReferenceChangeQueryArgs(Schema):
    kind = fields.Str(validate=validate.OneOf(["programme", "organisation", "location", "kit-template"]))
    code = Text(20, metadata={"description": "one record's code"})
    cursor = cursor_field()
