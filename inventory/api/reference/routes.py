"""Programmes, organisations, locations and kit templates."""

from __future__ import annotations

from flask_smorest import Page

from ...auth import current_user, requires, tokens
from ...clock import today
from ...permissions import Permission
from ...schemas.reference import (
    AgreementCreateArgs,
    AgreementSchema,
    KitTemplateCreateArgs,
    KitTemplateSchema,
    KitTemplateUpdateArgs,
    LocationCreateArgs,
    LocationSchema,
    OrganisationCreateArgs,
    OrganisationSchema,
    ProgrammeCreateArgs,
    ProgrammeSchema,
    ProgrammeUpdateArgs,
    ReferenceChangeQueryArgs,
    ReferenceChangeSchema,
)
from ...services import activation, agreements, reference, reference_history
from ..common import LIST_HEADERS, Blueprint, paginate_by_cursor

blp = Blueprint(
    "reference", __name__, url_prefix="/api/v1", description="Programmes, organisations, locations and kit templates"
)


@blp.route("/programmes", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, ProgrammeSchema(many=True))
@blp.paginate(Page)
def list_programmes():
    return reference.list_programmes()


@blp.route("/programmes", methods=["POST"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(ProgrammeCreateArgs())
@blp.response(201, ProgrammeSchema)
def create_programme(args):
    return reference.create_programme(**args)


@blp.route("/programmes/<code>", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, ProgrammeSchema)
def get_programme(code):
    return reference.get_programme(code)


@blp.route("/programmes/<code>/agreements", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, AgreementSchema(many=True))
@blp.paginate(Page)
def list_agreements(code):
    """The programme's loan-agreement texts, newest first: the first is the current one."""
    return agreements.versions(reference.get_programme(code))


@blp.route("/programmes/<code>/agreements", methods=["POST"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(AgreementCreateArgs())
@blp.response(201, AgreementSchema)
def add_agreement(args, code):
    """A new version of the programme's loan agreement, current from now on."""
    return agreements.add_version(reference.get_programme(code), args["text"], current_user(), today())


@blp.route("/programmes/<code>", methods=["PATCH"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(ProgrammeUpdateArgs())
@blp.response(200, ProgrammeSchema)
def update_programme(args, code):
    """Change a programme's name, months of free data, assessment, pass mark, reminder days or contact
    number (its code and ownership rule stay)."""
    programme, _ = reference.update_programme(code, args, current_user())
    return programme


@blp.route("/organisations", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, OrganisationSchema(many=True))
@blp.paginate(Page)
def list_organisations():
    return reference.list_organisations(current_user())


@blp.route("/organisations", methods=["POST"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(OrganisationCreateArgs())
@blp.response(201, OrganisationSchema)
def create_organisation(args):
    return reference.create_organisation(**args)


@blp.route("/organisations/<code>", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, OrganisationSchema)
def get_organisation(code):
    return reference.get_organisation(code, current_user())


@blp.route("/locations", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, LocationSchema(many=True))
@blp.paginate(Page)
def list_locations():
    return reference.list_locations(current_user())


@blp.route("/locations", methods=["POST"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(LocationCreateArgs())
@blp.response(201, LocationSchema)
def create_location(args):
    return reference.create_location(**args)


@blp.route("/locations/<code>", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, LocationSchema)
def get_location(code):
    return reference.get_location(code, current_user())


@blp.route("/kit-templates", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, KitTemplateSchema(many=True))
@blp.paginate(Page)
def list_kit_templates():
    return reference.list_kit_templates()


@blp.route("/kit-templates", methods=["POST"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(KitTemplateCreateArgs())
@blp.response(201, KitTemplateSchema)
def create_kit_template(args):
    return reference.create_kit_template(**args)


@blp.route("/kit-templates/<code>", methods=["GET"])
@requires(Permission.READ_REFERENCE)
@blp.response(200, KitTemplateSchema)
def get_kit_template(code):
    return reference.get_kit_template(code)


@blp.route("/kit-templates/<code>", methods=["PATCH"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(KitTemplateUpdateArgs())
@blp.response(200, KitTemplateSchema)
def update_kit_template(args, code):
    """Change a kit template's name or contents (the whole list of types and counts). Kits already built
    are not changed: they keep the items they were built with."""
    template, _ = reference.update_kit_template(code, args, current_user())
    return template


# Deactivating and reactivating: one POST per direction, so a retry is harmless and the intent is plain.
# What a deactivated record then refuses is in services/activation.py.
_ACTIVATION = (
    ("programmes", "programme", ProgrammeSchema),
    ("organisations", "organisation", OrganisationSchema),
    ("locations", "location", LocationSchema),
    ("kit-templates", "kit-template", KitTemplateSchema),
)


def _activation_route(path: str, kind: str, schema, active: bool):
    verb = "reactivate" if active else "deactivate"

    @requires(Permission.WRITE_REFERENCE)
    def view(code):
        outcome = activation.set_active(kind, code, active, current_user())
        if outcome.users_deactivated:
            tokens.clear()  # this worker forgets their tokens at once (the others within a second)
        return outcome.thing

    view.__name__ = f"{verb}_{kind.replace('-', '_')}"
    view.__doc__ = (
        f"{verb.capitalize()} a {kind.replace('-', ' ')} (admins). Doing it again changes nothing.\n\n"
        + activation.CONSEQUENCES[kind]
    )
    refused = (
        "Something still depends on it (a message saying what; for a location, errors.held counts what it holds)"
        if not active
        else "It belongs to something deactivated (reactivate that first)"
    )
    blp.route(f"/{path}/<code>/{verb}", methods=["POST"])(
        blp.alt_response(409, description=refused)(blp.response(200, schema)(view))
    )


for _path, _kind, _schema in _ACTIVATION:
    for _active in (False, True):
        _activation_route(_path, _kind, _schema, _active)


@blp.route("/reference-changes", methods=["GET"])
@requires(Permission.WRITE_REFERENCE)
@blp.arguments(ReferenceChangeQueryArgs(), location="query")
@blp.response(200, ReferenceChangeSchema(many=True), headers=LIST_HEADERS)
@blp.paginate()
def list_reference_changes(args, pagination_parameters):
    """Who edited, deactivated or reactivated which programme, organisation, location or kit template, and
    what changed (admins), newest first; `kind` and `code` narrow it. `page` reaches the first rows; beyond,
    follow X-Next-Cursor."""
    cursor = args.pop("cursor", None)
    return paginate_by_cursor(
        lambda after: reference_history.change_query(after=after, **args),
        pagination_parameters,
        cursor=cursor,
        filters=args,
        key_of=reference_history.change_key,
    )
