"""Recording the internet-safety assessment; the first pass can make the kit the participant's own."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import Actor, Assessment, OwnershipRule, Transfer
from . import signatures
from .ownership import transfer_on_loan
from .participants import get_participant


def passes(score: int, max_score: int, pass_mark: int) -> bool:
    # In whole numbers, so 7 out of 10 meets a 70% pass mark exactly.
    return score * 100 >= pass_mark * max_score


def record(
    *,
    participant_id: int,
    score: int,
    max_score: int,
    taken_on: date,
    venue: str,
    actor: Actor,
    today: date,
    signature: dict | None = None,
) -> tuple[Assessment, Transfer | None]:
    """Record an attempt. A first pass, when the programme says so, transfers what is on loan; the
    participant's signature (optional) is kept on that transfer and shown on its certificate."""
    signed = signatures.check(signature, required=False, what="a transfer")
    if max_score <= 0:
        raise InvalidInput("The maximum score must be at least 1", {"max_score": ["Must be at least 1."]})
    if not 0 <= score <= max_score:
        raise InvalidInput(
            f"A score of {score} out of {max_score} is not possible", {"score": [f"Must be between 0 and {max_score}."]}
        )
    if taken_on > today:
        raise InvalidInput(
            f"The assessment date {taken_on.isoformat()} is in the future",
            {"taken_on": [f"Must be {today.isoformat()} or earlier."]},
        )
    participant = get_participant(participant_id, actor, for_update=True)
    if participant.erased:
        raise Conflict(f"Participant {participant.id}'s record has been erased")
    programme = participant.programme
    passed_before = (
        db.session.scalar(
            sa.select(Assessment.id)
            .where(Assessment.participant_id == participant.id, Assessment.passed.is_(True))
            .limit(1)
        )
        is not None
    )
    assessment = Assessment(
        participant_id=participant.id,
        score=score,
        max_score=max_score,
        taken_on=taken_on,
        venue=venue,
        passed=passes(score, max_score, programme.pass_mark),
        recorded_by_id=actor.id,
    )
    db.session.add(assessment)
    db.session.flush()
    transfer = None
    if assessment.passed and not passed_before and programme.ownership_rule == OwnershipRule.ON_ASSESSMENT_PASS:
        transfer = transfer_on_loan(participant, actor, taken_on, assessment_id=assessment.id)
    if transfer is not None and signed is not None:  # a signature for a transfer that did not happen is not kept
        transfer.signature = signatures.record(signed, participant.id, actor, taken_on)
    db.session.flush()
    return assessment, transfer
