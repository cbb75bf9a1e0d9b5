"""Two people acting on the same thing at once leave a consistent state: real threads, a real
threaded HTTP server (as `inventory run` starts), a real database (SQLite or PostgreSQL)."""

import pytest
import requests
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Asset, AssetStatus, Event, Kit
from tests.conftest import SAMPLES, at_once

pytestmark = pytest.mark.slow


@pytest.fixture
def server(live_server):
    return live_server


class PlainHttpSession(requests.Session):
    """A browser session on the plain-http test server: the app's cookies are Secure (its PUBLIC_BASE_URL is
    https), which a client would otherwise keep to itself over http."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def test_two_kits_built_with_one_tablet_give_one_201_and_one_409(server, world, make_asset):
    headers = world.headers["warehouse"]
    for _ in range(3):
        tablet, sim1, sim2 = make_asset("tablet"), make_asset("sim"), make_asset("sim")
        tag = tablet.tag  # read here: ORM objects belong to this thread's session
        responses = at_once(
            [
                lambda s=sim.tag: requests.post(f"{server}/api/v1/kits", json={"items": [tag, s]}, headers=headers)  # noqa: B023 - called in this iteration
                for sim in (sim1, sim2)
            ]
        )
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert tag in loser.json()["message"]
        db.session.rollback()
        kits_with_tablet = db.session.scalars(sa.select(Asset.kit_id).where(Asset.id == tablet.id)).all()
        assert len(kits_with_tablet) == 1 and kits_with_tablet[0] is not None
        # The losing kit's SIM went back untouched; nothing half-built is left.
        statuses = sorted(db.session.scalars(sa.select(Asset.status).where(Asset.id.in_([sim1.id, sim2.id]))))
        assert statuses == sorted([AssetStatus.IN_KIT, AssetStatus.IN_STOCK])


def test_eight_builders_racing_for_one_tablet(server, world, make_asset):
    headers = world.headers["warehouse"]
    tag = make_asset("tablet").tag
    sims = [make_asset("sim").tag for _ in range(8)]
    responses = at_once(
        [
            lambda s=sim: requests.post(f"{server}/api/v1/kits", json={"items": [s, tag]}, headers=headers)
            for sim in sims
        ]
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Kit)) == 1
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Asset).where(Asset.status == AssetStatus.IN_KIT)) == 2
    )


def test_the_same_delivery_imported_twice_at_once_is_stored_once(server, world):
    headers = {**world.headers["warehouse"], "Content-Type": "text/csv"}
    data = (SAMPLES / "delivery-tablets.csv").read_bytes()
    responses = at_once(
        [lambda: requests.post(f"{server}/api/v1/assets/import", data=data, headers=headers) for _ in range(2)]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes[0] == 201 and codes[1] in (409, 422), [r.text[:200] for r in responses]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 300
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 300


def test_simultaneous_moves_leave_the_ledger_and_the_location_agreeing(server, world, make_asset):
    headers = world.headers["warehouse"]
    tablet = make_asset()
    tag = tablet.tag
    places = ["HUB-A", "HUB-B", "BUS-1", "WH-MAIN"] * 2
    responses = at_once(
        [
            lambda p=p: requests.post(f"{server}/api/v1/assets/{tag}/move", json={"location": p}, headers=headers)
            for p in places
        ]
    )
    assert all(r.status_code == 200 for r in responses)
    db.session.rollback()
    moves = db.session.scalars(
        sa.select(Event).where(Event.asset_id == tablet.id, Event.action == "move").order_by(Event.id)
    ).all()
    assert len(moves) == 8
    # Each move starts where the previous one ended: no two moves saw the same "from".
    for earlier, later in zip(moves, moves[1:], strict=False):
        assert later.from_location_id == earlier.to_location_id
    assert db.session.get(Asset, tablet.id).location_id == moves[-1].to_location_id


def test_tags_stay_unique_when_many_assets_arrive_at_once(server, world):
    headers = world.headers["warehouse"]
    responses = at_once(
        [
            lambda n=n: requests.post(
                f"{server}/api/v1/assets",
                json={"type": "chair", "make": "M", "model": "C", "serial": f"RACE-{n}", "location": "WH-MAIN"},
                headers=headers,
            )
            for n in range(12)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 12
    assert len({r.json()["tag"] for r in responses}) == 12


def test_simultaneous_issues_of_one_item_give_one_201_and_409s(server, world, make_asset, make_participant):
    from inventory.models import Loan

    headers = world.headers["advocate"]
    tag = make_asset("sim").tag
    people = [make_participant().id for _ in range(6)]
    responses = at_once(
        [
            lambda p=p: requests.post(
                f"{server}/api/v1/loans",
                json={"participant": p, "items": [tag], "agreement_accepted": True},
                headers=headers,
            )
            for p in people
        ]
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5, [r.text[:120] for r in responses]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan)) == 1


def test_the_same_idempotency_key_at_the_same_moment_issues_once(server, world, make_asset, make_participant):
    from inventory.models import DataPlan, Loan

    headers = {**world.headers["advocate"], "Idempotency-Key": "double-tap"}
    body = {"participant": make_participant().id, "items": [make_asset("sim").tag], "agreement_accepted": True}
    responses = at_once([lambda: requests.post(f"{server}/api/v1/loans", json=body, headers=headers) for _ in range(4)])
    assert [r.status_code for r in responses] == [201] * 4, [r.text[:120] for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DataPlan)) == 1


def test_two_passes_recorded_at_once_transfer_once(server, world, make_asset, make_participant, issue):
    from inventory.models import Transfer, TransferItem

    person = make_participant()
    issue(person, make_asset("tablet").tag, make_asset("sim").tag)
    pid = person.id
    body = {"participant": pid, "score": 20, "max_score": 20, "taken_on": "2026-11-20", "venue": "classroom"}
    responses = at_once(
        [
            lambda: requests.post(f"{server}/api/v1/assessments", json=body, headers=world.headers["advocate"])
            for _ in range(3)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 3
    assert sum(r.json()["transfer"] is not None for r in responses) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TransferItem)) == 2


def test_pages_and_the_api_write_side_by_side(server, world, make_asset):
    """A signed-in page posting forms while an API client loops on moves: no 'database is locked' 500s
    (the page's transaction takes the write lock when it begins, as the API's does)."""
    import re
    import threading

    tags = [make_asset("chair").tag for _ in range(2)]
    page = PlainHttpSession()
    form = page.get(f"{server}/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed = page.post(
        f"{server}/sign-in",
        data={"email": "warehouse@test.example", "password": "correct horse battery", "csrf_token": token},
    )
    assert signed.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get(f"{server}/a/{tags[0]}").text).group(1)
    stop, api_codes = threading.Event(), []

    def api_loop():
        where = ["HUB-A", "HUB-B"]
        while not stop.is_set():
            r = requests.post(
                f"{server}/api/v1/assets/{tags[1]}/move",
                json={"location": where[len(api_codes) % 2]},
                headers=world.headers["warehouse"],
            )
            api_codes.append(r.status_code)

    looping = threading.Thread(target=api_loop)
    looping.start()
    try:
        page_codes = [
            page.post(
                f"{server}/a/{tags[0]}/move", data={"csrf_token": token, "location": loc}, allow_redirects=False
            ).status_code
            for loc in ["HUB-A", "HUB-B"] * 10
        ]
    finally:
        stop.set()
        looping.join()
    assert page_codes == [302] * 20 and set(api_codes) == {200}, (page_codes, set(api_codes))


def test_a_pass_and_a_return_for_one_participant_at_once_both_answer_and_keep_their_last_day(
    server, world, make_asset, make_participant, issue
):
    """The pass transfers what is on loan (it holds the participant and wants the items); the return
    holds the items. Each keeps the participant's last day at its commit: neither waits on the other's
    participant row in a circle, and the day kept is what both left in the rows."""
    from inventory.models import LastInvolved
    from inventory.models.involvement import last_days

    for _ in range(3):
        person = make_participant()
        loan = issue(person, make_asset("tablet").tag, make_asset("sim").tag)
        pid = person.id
        body = {"participant": pid, "score": 20, "max_score": 20, "taken_on": "2026-11-20", "venue": "classroom"}
        headers = world.headers["advocate"]
        back = f"{server}/api/v1/loans/{loan['id']}/return"
        responses = at_once(
            [
                lambda body=body, headers=headers: requests.post(
                    f"{server}/api/v1/assessments", json=body, headers=headers
                ),
                lambda back=back, headers=headers: requests.post(back, json={"location": "HUB-A"}, headers=headers),
            ]
        )
        assert responses[0].status_code == 201 and responses[1].status_code in (200, 409), [
            r.text[:200] for r in responses
        ]
        db.session.rollback()
        kept = db.session.scalar(sa.select(LastInvolved.day).where(LastInvolved.participant_id == pid))
        assert kept is not None and kept == db.session.execute(last_days([pid])).one()[1]
