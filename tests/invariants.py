"""The loan, plan and asset invariants, as SQL: each query returns the rows that break its rule, so a
consistent database answers nothing to every one. Used after a restore; usable after any load test."""

from __future__ import annotations

import sqlalchemy as sa

INVARIANTS = {
    "an asset on loan has exactly one open loan item": """
        SELECT a.id FROM assets a
        WHERE a.status = 'on_loan'
          AND (SELECT count(*) FROM loan_items li WHERE li.asset_id = a.id AND li.returned_on IS NULL) <> 1
    """,
    "an open loan item's asset is on loan (or has become the participant's own)": """
        SELECT li.id FROM loan_items li JOIN assets a ON a.id = li.asset_id
        WHERE li.returned_on IS NULL AND a.status NOT IN ('on_loan', 'owned')
    """,
    "an asset has at most one open loan item": """
        SELECT asset_id FROM loan_items WHERE returned_on IS NULL GROUP BY asset_id HAVING count(*) > 1
    """,
    "a data plan not ended is on a SIM still out on its loan": """
        SELECT dp.id FROM data_plans dp JOIN assets a ON a.id = dp.sim_id
        WHERE dp.ended_on IS NULL AND (
            a.status NOT IN ('on_loan', 'owned')
            OR NOT EXISTS (SELECT 1 FROM loan_items li
                           WHERE li.loan_id = dp.loan_id AND li.asset_id = dp.sim_id AND li.returned_on IS NULL))
    """,
    "a returned SIM's plan has ended": """
        SELECT dp.id FROM data_plans dp JOIN loan_items li ON li.loan_id = dp.loan_id AND li.asset_id = dp.sim_id
        WHERE li.returned_on IS NOT NULL AND dp.ended_on IS NULL
    """,
    "every loan has an item": """
        SELECT l.id FROM loans l WHERE NOT EXISTS (SELECT 1 FROM loan_items li WHERE li.loan_id = l.id)
    """,
}


def broken(conn) -> dict[str, list]:
    """The invariants that do not hold on `conn`, with (some of) the rows that break them."""
    found = {}
    for rule, query in INVARIANTS.items():
        rows = conn.execute(sa.text(query)).fetchmany(5)
        if rows:
            found[rule] = [tuple(row) for row in rows]
    return found
