"""Two swaps reaching for the same replacement at the same moment: one wins, the other is refused and
changes nothing (real threads on a real threaded server, on SQLite and PostgreSQL alike)."""

import pytest
import requests
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Asset, AssetStatus, Event, LoanItem, LoanSwap
from tests.conftest import at_once

pytestmark = pytest.mark.slow


def test_two_swaps_for_one_replacement_give_one_success_and_one_409(
    live_server, world, make_asset, make_participant, issue
):
    headers = world.headers["advocate"]
    for _ in range(3):
        loans = [issue(make_participant(), make_asset("tablet").tag) for _ in range(2)]
        fresh = make_asset("tablet").tag
        responses = at_once(
            [
                lambda loan=loan, fresh=fresh: requests.post(
                    f"{live_server}/api/v1/loans/{loan['id']}/swap",
                    json={"out": loan["items"][0], "in": fresh, "location": "HUB-A", "reason": "screen"},
                    headers=headers,
                )
                for loan in loans
            ]
        )
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert fresh in loser.json()["message"] and "on_loan" in loser.json()["message"]
        db.session.rollback()
        # The replacement is on exactly one loan; the losing loan still has its own tablet out.
        fresh_id = db.session.scalar(sa.select(Asset.id).where(Asset.tag == fresh))
        assert db.session.scalar(sa.select(sa.func.count()).where(LoanItem.asset_id == fresh_id)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).where(LoanSwap.in_asset_id == fresh_id)) == 1
        out_statuses = sorted(
            db.session.scalars(sa.select(Asset.status).where(Asset.tag.in_([x["items"][0] for x in loans])))
        )
        assert out_statuses == sorted([AssetStatus.ON_LOAN, AssetStatus.QUARANTINE])


def test_two_people_marking_one_sim_barred_at_once_make_one_change(
    live_server, world, make_asset, make_participant, issue
):
    sim = make_asset("sim").tag
    loan = issue(make_participant(), sim)
    lost = requests.post(
        f"{live_server}/api/v1/loans/{loan['id']}/lost",
        json={"items": [sim], "reason": "stolen"},
        headers=world.headers["advocate"],
    )
    assert lost.status_code == 200
    responses = at_once(
        [
            lambda role=role: requests.post(f"{live_server}/api/v1/assets/{sim}/barred", headers=world.headers[role])
            for role in ("warehouse", "admin")
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    db.session.rollback()
    barred = db.session.scalars(
        sa.select(Event.action)
        .join(Asset, Asset.id == Event.asset_id)
        .where(Asset.tag == sim, Event.action == "barred")
    ).all()
    assert barred == ["barred"]
