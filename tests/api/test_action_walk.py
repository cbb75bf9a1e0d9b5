"""Every status x every action, through the API, for every role: what a scan offers is exactly what the
API then accepts, and everything it does not offer is refused (403 for the role, 409 for the state) with
nothing changed."""

from __future__ import annotations

import pytest

from inventory.extensions import unit_of_work
from inventory.services import assessments, kits, lifecycle
from tests.conftest import TODAY

ROLES = ("admin", "warehouse", "advocate", "partner")
ASSET_STATES = (
    "received",
    "in_stock",
    "in_kit",
    "on_loan",
    "on_loan_in_kit",
    "owned",
    "quarantine",
    "repair",
    "retired",
)
ASSET_ACTIONS = ("move", "build_kit", "quarantine", "restock", "repair", "retire", "issue", "return")
KIT_STATES = ("assembled", "on_loan", "owned", "dismantled")
KIT_ACTIONS = ("move", "dismantle", "issue")


@pytest.fixture
def maker(world, make_asset, make_participant, issue):
    """make(state) -> the tag of a new asset (or kit) in that state, at the partner's hub."""
    person = make_participant()
    warehouse = world.warehouse

    def kit_of(tablet: str) -> str:
        with unit_of_work():
            return kits.build_kit([tablet, make_asset("sim", location="HUB-A").tag], warehouse).tag

    def owned(*tags):
        owner = make_participant()
        issue(owner, *tags)
        with unit_of_work():
            assessments.record(
                participant_id=owner.id,
                score=20,
                max_score=20,
                taken_on=TODAY,
                venue="home",
                actor=world.people["advocate"].user,
                today=TODAY,
            )

    def make(state: str) -> str:
        if state == "received":
            return make_asset("tablet", location="HUB-A", wipe_certificate=None).tag
        tag = make_asset("tablet", location="HUB-A").tag
        with unit_of_work():
            if state in ("quarantine", "repair"):
                lifecycle.quarantine(tag, warehouse)
            if state == "repair":
                lifecycle.repair(tag, warehouse)
            if state == "retired":
                lifecycle.retire(tag, warehouse, reason="recycled")
        if state == "in_kit":
            kit_of(tag)
        if state == "on_loan":
            issue(person, tag)
        if state == "on_loan_in_kit":
            issue(person, kit_of(tag))
        if state == "owned":
            owned(tag)
        return tag

    def make_kit(state: str) -> str:
        kit = kit_of(make_asset("tablet", location="HUB-A").tag)
        if state == "on_loan":
            issue(person, kit)
        if state == "owned":
            owned(kit)
        if state == "dismantled":
            with unit_of_work():
                kits.dismantle_kit(kit, warehouse)
        return kit

    return make, make_kit, person


def act(client, headers, action, tag, person_id):
    """The API call for one action on one asset or kit."""
    calls = {
        "move": ("POST", f"/api/v1/assets/{tag}/move", {"location": "HUB-A"}),
        "build_kit": ("POST", "/api/v1/kits", {"items": [tag]}),
        "quarantine": ("POST", f"/api/v1/assets/{tag}/quarantine", {}),
        "restock": ("POST", f"/api/v1/assets/{tag}/restock", {"wipe_certificate": "WIPE-AGAIN"}),
        "repair": ("POST", f"/api/v1/assets/{tag}/repair", {}),
        "retire": ("POST", f"/api/v1/assets/{tag}/retire", {"reason": "written_off"}),
        "issue": (
            "POST",
            "/api/v1/loans",
            {"participant": person_id, "items": [tag], "agreement_accepted": True, "issued_on": TODAY.isoformat()},
        ),
        "return": ("POST", f"/api/v1/assets/{tag}/return", {"location": "HUB-A"}),
        "kit:move": ("POST", f"/api/v1/kits/{tag}/move", {"location": "HUB-A"}),
        "kit:dismantle": ("DELETE", f"/api/v1/kits/{tag}", None),
        "kit:issue": (
            "POST",
            "/api/v1/loans",
            {"participant": person_id, "items": [tag], "agreement_accepted": True, "issued_on": TODAY.isoformat()},
        ),
    }
    method, path, body = calls[action]
    return client.open(path, method=method, json=body, headers=headers)


def scanned(client, headers, tag):
    r = client.get("/api/v1/scan", query_string={"code": tag}, headers=headers)
    assert r.status_code == 200, r.json
    return r.json


@pytest.mark.parametrize("role", ROLES)
def test_what_a_scan_offers_on_an_asset_is_exactly_what_the_api_accepts(client, world, maker, role):
    make, _, person = maker
    headers = world.headers[role]
    for state in ASSET_STATES:
        tag = make(state)
        before = scanned(client, world.headers["admin"], tag)
        offered = set(scanned(client, headers, tag)["actions"]) - {"history"}
        for action in ASSET_ACTIONS:
            if action in offered:
                fresh = make(state)
                r = act(client, headers, action, fresh, person.id)
                assert r.status_code < 300, (role, state, action, r.json)
            else:
                r = act(client, headers, action, tag, person.id)
                assert r.status_code in (403, 409), (role, state, action, r.status_code, r.json)
                if r.status_code == 409:
                    assert tag in r.json["message"], (state, action, r.json)
        after = scanned(client, world.headers["admin"], tag)
        assert (after["status"], after["location"]) == (before["status"], before["location"]), (role, state)


@pytest.mark.parametrize("role", ROLES)
def test_what_a_scan_offers_on_a_kit_is_exactly_what_the_api_accepts(client, world, maker, role):
    _, make_kit, person = maker
    headers = world.headers[role]
    for state in KIT_STATES:
        tag = make_kit(state)
        offered = set(scanned(client, headers, tag)["actions"]) - {"history"}
        for action in KIT_ACTIONS:
            if action in offered:
                r = act(client, headers, f"kit:{action}", make_kit(state), person.id)
                assert r.status_code < 300, (role, state, action, r.json)
            else:
                r = act(client, headers, f"kit:{action}", tag, person.id)
                assert r.status_code in (403, 409), (role, state, action, r.status_code, r.json)
        assert scanned(client, world.headers["admin"], tag)["status"] == state


def test_an_on_loan_sim_cannot_be_quarantined_or_retired_behind_its_loan(
    client, world, make_asset, make_participant, issue
):
    """The drift that left loans open for good: the warehouse is told to take it back first."""
    sim = make_asset("sim").tag
    loan = issue(make_participant(), sim)
    for action, body in (("quarantine", {}), ("retire", {"reason": "lost"})):
        r = client.post(f"/api/v1/assets/{sim}/{action}", json=body, headers=world.headers["warehouse"])
        assert r.status_code == 409 and "take it back" in r.json["message"], r.json
    back = client.post(
        f"/api/v1/loans/{loan['id']}/return", json={"location": "WH-MAIN"}, headers=world.headers["warehouse"]
    )
    assert back.status_code == 200, back.json
    plans = client.get("/api/v1/data-plans", headers=world.headers["admin"]).json
    assert [p["status"] for p in plans] == ["ended"]
