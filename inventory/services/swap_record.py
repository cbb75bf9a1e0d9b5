"""How a swap is told on a loan's record: in the API's answers, the case file and the handover paperwork."""

from __future__ import annotations

from typing import TypedDict

from ..models import LoanSwap


class SwapSummary(TypedDict):
    """One swap on a loan (schemas.loans.SwapSchema): what went out, what came in, when and why."""

    out: str
    out_serial: str | None
    type: str
    # "in" is a keyword in Python: the schema renames it.
    in_tag: str
    in_serial: str | None
    swapped_on: str
    location: str
    reason: str


def swap_summary(swap: LoanSwap) -> SwapSummary:
    return {
        "out": swap.out_asset.tag,
        "out_serial": swap.out_asset.serial,
        "type": swap.out_asset.type.value,
        "in_tag": swap.in_asset.tag,
        "in_serial": swap.in_asset.serial,
        "swapped_on": swap.swapped_on.isoformat(),
        "location": swap.location.code,
        "reason": swap.reason,
    }
