"""Issuing and returns, assessments, certificates and data plans: the advocates' half of the API."""

from __future__ import annotations

from flask import Response, request

from ...auth import current_user, requires
from ...clock import today
from ...extensions import writes
from ...models import AccessAction, AccessChannel
from ...permissions import Permission
from ...schemas.loans import (
    AssessmentCreateArgs,
    AssessmentResultSchema,
    AssetReturnArgs,
    DataPlanSchema,
    ExtendArgs,
    LoanCreateArgs,
    LoanSchema,
    LossReportSchema,
    LostArgs,
    OverdueLoanSchema,
    PlanQueryArgs,
    ReturnArgs,
    SimToBarSchema,
    SwapArgs,
)
from ...services import access_log, assessments, certificates, data_plans, handovers, issuing, loan_changes, returns
from ...services.ownership import transfer_summary
from ...services.participants import plan_summary
from ..common import LIST_HEADERS, Blueprint, paginate, paginate_by_cursor
from ..idempotent import REPLAYED, header_doc, idempotent, request_key

blp = Blueprint("loans", __name__, url_prefix="/api/v1", description="Loans, returns, assessments and data plans")


@blp.route("/loans", methods=["POST"])
@requires(Permission.ISSUE)
@blp.arguments(LoanCreateArgs())
@blp.response(201, LoanSchema)
@blp.doc(parameters=[header_doc("issues")])
def issue(args):
    # The key is claimed inside issuing.issue, after its checks and before its locks.
    key = request_key()
    day = today()
    receipt, replayed = issuing.issue(
        participant_id=args["participant"],
        items=args["items"],
        agreement_accepted=args["agreement_accepted"],
        issued_on=args["issued_on"] or day,
        actor=current_user(),
        today=day,
        idempotency_key=key,
        body_hash=issuing.request_hash(request.get_json(silent=True) or {}),
        signature=args["signature"],
        agreement_version=args["agreement_version"],
    )
    if not replayed:  # the participant's case file has a new loan (a replay changes nothing)
        what = f"loan {receipt['id']} issued"
        access_log.record(current_user(), AccessAction.CHANGED, [receipt["participant"]], what, AccessChannel.API)
    return receipt, 201, ({REPLAYED: "true"} if replayed else {})


@blp.route("/loans/<id:loan_id>", methods=["GET"])
@requires(Permission.ISSUE)
@blp.response(200, LoanSchema)
def get_loan(loan_id):
    return issuing.loan_receipt(issuing.get_loan(loan_id, current_user()), today())


@blp.route("/loans/<id:loan_id>/handover", methods=["GET"])
@writes  # records the access log
@requires(Permission.ISSUE)
@blp.response(200, description="The handover record, a signed PDF", content_type="application/pdf")
def handover_record(loan_id):
    """What was handed over and agreed: programme, agreement text with its version and sha256, every item,
    the date, the advocate and the participant's signature. The participant's advocate and admins only."""
    loan = issuing.get_loan(loan_id, current_user())
    access_log.record(
        current_user(),
        AccessAction.VIEWED,
        [loan.participant_id],
        f"handover record, loan {loan.id}",
        AccessChannel.API,
    )
    return Response(
        handovers.handover_pdf(loan),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="handover-{loan.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@blp.route("/loans/<id:loan_id>/return", methods=["POST"])
@requires(Permission.RETURN)
@idempotent("api-loan-return", "takes back")
@blp.arguments(ReturnArgs())
@blp.response(200, LoanSchema)
def return_loan_items(args, loan_id):
    """Some or all of a loan's items back to a location, into quarantine."""
    day = today()
    loan = returns.return_items(
        loan_id,
        current_user(),
        location=args["location"],
        today=day,
        items=args["items"],
        note=args["note"],
        signature=args["signature"],
    )
    return issuing.loan_receipt(loan, day)


@blp.route("/loans/<id:loan_id>/swap", methods=["POST"])
@requires(Permission.ISSUE)
@blp.arguments(SwapArgs())
@blp.response(200, LoanSchema)
def swap_item(args, loan_id):
    """Replace a faulty item on the loan with another of its type from stock, in one step: the faulty
    one goes to quarantine at `location`; a SIM's data plan moves to the new SIM, same end date."""
    day = today()
    swap = loan_changes.swap(
        loan_id,
        current_user(),
        out=args["out"],
        replacement=args["in_tag"],
        location=args["location"],
        reason=args["reason"],
        today=day,
    )
    access_log.record(
        current_user(), AccessAction.CHANGED, [swap.loan.participant_id], f"loan {loan_id} swap", AccessChannel.API
    )
    return issuing.loan_receipt(swap.loan, day)


@blp.route("/loans/<id:loan_id>/lost", methods=["POST"])
@requires(Permission.ISSUE)
@blp.arguments(LostArgs())
@blp.response(200, LossReportSchema)
def report_lost(args, loan_id):
    """Items lost or stolen: retired with that reason, their loan items closed, a SIM's plan ended;
    the answer lists the SIMs to bar with their network."""
    day = today()
    report = loan_changes.report_lost(
        loan_id, current_user(), items=args["items"], reason=args["reason"], reported_on=args["reported_on"], today=day
    )
    access_log.record(
        current_user(),
        AccessAction.CHANGED,
        [report.loan.participant_id],
        f"loan {loan_id} items {args['reason']}",
        AccessChannel.API,
    )
    return {"loan": issuing.loan_receipt(report.loan, day), "sims_to_bar": report.sims_to_bar}


@blp.route("/loans/overdue", methods=["GET"])
@writes  # records the access log
@requires(Permission.PARTICIPANTS)
@blp.response(200, OverdueLoanSchema(many=True))
@blp.paginate()
def list_overdue(pagination_parameters):
    """Loans past their return date with something still out: the caller's caseload (admins: all)."""
    day = today()
    loans = paginate(loan_changes.overdue_query(current_user(), day), pagination_parameters)
    access_log.record(
        current_user(), AccessAction.LISTED, [loan.participant_id for loan in loans], "overdue loans", AccessChannel.API
    )
    return [loan_changes.overdue_summary(loan, day) for loan in loans]


@blp.route("/sims-to-bar", methods=["GET"])
@requires(Permission.HANDLE_STOCK)
@blp.response(200, SimToBarSchema(many=True))
@blp.paginate()
def list_sims_to_bar(pagination_parameters):
    """SIMs reported lost or stolen that are not yet marked barred, oldest report first."""
    return paginate(loan_changes.sims_to_bar_query(), pagination_parameters)


@blp.route("/assets/<tag>/barred", methods=["POST"])
@requires(Permission.HANDLE_STOCK)
@blp.response(200, SimToBarSchema)
def mark_barred(tag):
    """The network has barred this lost or stolen SIM: it leaves the list."""
    return loan_changes.mark_barred(tag, current_user())


@blp.route("/assets/<tag>/return", methods=["POST"])
@requires(Permission.RETURN_BY_TAG)
@idempotent("api-asset-return", "takes back")
@blp.arguments(AssetReturnArgs())
@blp.response(200, LoanSchema)
def return_asset(args, tag):
    """Take one item back by scanning it: its open loan is found for you."""
    day = today()
    loan = returns.return_asset(
        tag, current_user(), location=args["location"], today=day, note=args["note"], signature=args["signature"]
    )
    return issuing.loan_receipt(loan, day)


@blp.route("/assessments", methods=["POST"])
@requires(Permission.ISSUE)
@idempotent("api-assessments", "records")
@blp.arguments(AssessmentCreateArgs())
@blp.response(201, AssessmentResultSchema)
def record_assessment(args):
    assessment, transfer = assessments.record(
        participant_id=args["participant"],
        score=args["score"],
        max_score=args["max_score"],
        taken_on=args["taken_on"],
        venue=args["venue"],
        actor=current_user(),
        today=today(),
        signature=args["signature"],
    )
    access_log.record(
        current_user(), AccessAction.CHANGED, [assessment.participant_id], "assessment recorded", AccessChannel.API
    )
    return {"id": assessment.id, "passed": assessment.passed, "transfer": transfer_summary(transfer)}


@blp.route("/transfers/<id:transfer_id>/certificate", methods=["GET"])
@writes  # records the access log
@requires(Permission.ISSUE)
@blp.response(200, description="A one-page PDF", content_type="application/pdf")
def transfer_certificate(transfer_id):
    transfer = certificates.get_transfer(transfer_id, current_user())
    # The certificate names its holder.
    access_log.record(
        current_user(), AccessAction.VIEWED, [transfer.participant_id], "ownership certificate", AccessChannel.API
    )
    return Response(
        certificates.certificate_pdf(transfer),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{transfer.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@blp.route("/data-plans", methods=["GET"])
@requires(Permission.READ_PLANS)
@blp.arguments(PlanQueryArgs(), location="query")
@blp.response(200, DataPlanSchema(many=True), headers=LIST_HEADERS)
@blp.paginate()
def list_data_plans(args, pagination_parameters):
    """Soonest end first. `page` reaches the first rows; beyond, follow X-Next-Cursor (by end date and id)."""
    day = today()
    cursor = args.pop("cursor", None)
    plans, headers = paginate_by_cursor(
        lambda after: data_plans.plan_query(current_user(), day, after=after, **args),
        pagination_parameters,
        cursor=cursor,
        filters=args,
        key_of=data_plans.plan_key,
    )
    return [plan_summary(p, day) for p in plans], headers


@blp.route("/data-plans/<id:plan_id>/extend", methods=["POST"])
@requires(Permission.ISSUE)
@blp.arguments(ExtendArgs())
@blp.response(200, DataPlanSchema)
def extend_data_plan(args, plan_id):
    day = today()
    return plan_summary(data_plans.extend(plan_id, args["months"], current_user(), day), day)
