"""The rest of a loan's life over HTTP: swaps, items lost or stolen (and their SIMs barred), return dates."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Asset, DataPlan, Event, LoanItem, Notification
from inventory.services import reference, reminders, users
from tests.conftest import TODAY


@pytest.fixture
def loan(world, make_asset, make_participant, issue):
    """A tablet and a SIM on loan to one of the advocate's participants since 31 August."""
    person = make_participant()
    tablet, sim = make_asset("tablet"), make_asset("sim", network="Vodafone")
    receipt = issue(person, tablet.tag, sim.tag, issued_on=date(2026, 8, 31))
    return receipt | {"tablet": tablet.tag, "sim": sim.tag, "person": person.id}


def status(tag):
    return db.session.scalar(sa.select(Asset.status).where(Asset.tag == tag)).value


def swap(client, world, loan_id, body, role="advocate"):
    return client.post(f"/api/v1/loans/{loan_id}/swap", json=body, headers=world.headers[role])


def test_a_swapped_tablet_goes_to_quarantine_and_its_replacement_on_the_same_loan(client, world, make_asset, loan):
    fresh = make_asset("tablet").tag
    r = swap(client, world, loan["id"], {"out": loan["tablet"], "in": fresh, "location": "HUB-A", "reason": "cracked"})
    assert r.status_code == 200, r.json
    assert r.json["items"] == [loan["tablet"], loan["sim"], fresh]
    assert r.json["swaps"] == [
        {
            "out": loan["tablet"],
            "out_serial": r.json["swaps"][0]["out_serial"],
            "type": "tablet",
            "in": fresh,
            "in_serial": r.json["swaps"][0]["in_serial"],
            "swapped_on": TODAY.isoformat(),
            "location": "HUB-A",
            "reason": "cracked",
        }
    ]
    db.session.rollback()
    assert status(loan["tablet"]) == "quarantine" and status(fresh) == "on_loan"
    faulty = db.session.scalar(sa.select(Asset).where(Asset.tag == loan["tablet"]))
    assert faulty.location.code == "HUB-A"
    closed = db.session.scalar(sa.select(LoanItem).where(LoanItem.asset_id == faulty.id))
    assert closed.returned_on == TODAY and closed.closed_as.value == "swapped"
    actions = db.session.scalars(
        sa.select(Event.action).join(Asset, Asset.id == Event.asset_id).where(Asset.tag.in_([loan["tablet"], fresh]))
    ).all()
    assert "swap_out" in actions and "swap_in" in actions
    # The swap is on the loan's record, and the case file shows the loan with it.
    again = client.get(f"/api/v1/loans/{loan['id']}", headers=world.headers["advocate"]).json
    assert again["swaps"][0]["in"] == fresh
    case = client.get(f"/api/v1/participants/{loan['person']}", headers=world.headers["advocate"]).json
    assert [i["closed_as"] for i in case["loans"][0]["items"]] == ["swapped", None, None]


def test_a_swapped_sims_data_plan_moves_to_the_new_sim_with_the_same_end_date(client, world, make_asset, loan):
    plan = loan["data_plans"][0]
    assert plan["ends_on"] == "2027-02-28"
    fresh = make_asset("sim").tag
    r = swap(client, world, loan["id"], {"out": loan["sim"], "in": fresh, "location": "WH-MAIN", "reason": "no signal"})
    assert r.status_code == 200, r.json
    assert r.json["data_plans"] == [plan | {"sim": fresh}]
    plans = client.get("/api/v1/data-plans", headers=world.headers["advocate"]).json
    assert [(p["id"], p["sim"], p["ends_on"], p["status"]) for p in plans] == [
        (plan["id"], fresh, "2027-02-28", "active")
    ]


@pytest.mark.parametrize(
    ("make", "field", "code", "words"),
    [
        (lambda make_asset, loan: make_asset("laptop").tag, "in", 422, "same type"),
        (lambda make_asset, loan: make_asset("tablet", location="WH-MAIN").tag, None, 409, None),
    ],
)
def test_a_replacement_of_another_type_or_not_in_stock_is_refused(
    client, world, make_asset, loan, make, field, code, words
):
    fresh = make(make_asset, loan)
    if code == 409:  # not in stock: in quarantine
        client.post(f"/api/v1/assets/{fresh}/quarantine", json={}, headers=world.headers["warehouse"])
    r = swap(client, world, loan["id"], {"out": loan["tablet"], "in": fresh, "location": "HUB-A", "reason": "x"})
    assert r.status_code == code, r.json
    if field:
        assert field in r.json["errors"] and words in r.json["message"]
    else:
        assert fresh in r.json["message"] and "quarantine" in r.json["message"]
    db.session.rollback()
    assert status(loan["tablet"]) == "on_loan"  # nothing changed
    assert status(fresh) in ("in_stock", "quarantine")


def test_swapping_an_item_that_is_not_on_this_loan_is_refused(client, world, make_asset, make_participant, issue, loan):
    other = issue(make_participant(), make_asset("tablet").tag)
    fresh = make_asset("tablet").tag
    r = swap(client, world, loan["id"], {"out": other["items"][0], "in": fresh, "location": "HUB-A", "reason": "x"})
    assert r.status_code == 422 and "out" in r.json["errors"] and "not out on loan" in r.json["message"]
    db.session.rollback()
    assert status(fresh) == "in_stock"


def test_someone_elses_loan_cannot_be_swapped_or_reported(client, world, make_asset, loan):
    with unit_of_work():
        stranger, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
        token = users.create_token(stranger)
    headers = {"Authorization": f"Bearer {token}"}
    fresh = make_asset("tablet").tag
    body = {"out": loan["tablet"], "in": fresh, "location": "HUB-A", "reason": "x"}
    assert client.post(f"/api/v1/loans/{loan['id']}/swap", json=body, headers=headers).status_code == 404
    lost = {"items": [loan["sim"]], "reason": "lost"}
    assert client.post(f"/api/v1/loans/{loan['id']}/lost", json=lost, headers=headers).status_code == 404
    assert (
        client.post(f"/api/v1/loans/{loan['id']}/lost", json=lost, headers=world.headers["warehouse"]).status_code
        == 403
    )


def test_stolen_items_are_retired_their_sim_plan_ends_and_the_warehouse_bars_the_sim(client, world, loan):
    r = client.post(
        f"/api/v1/loans/{loan['id']}/lost",
        json={"items": [loan["tablet"], loan["sim"]], "reason": "stolen", "reported_on": "2026-11-20"},
        headers=world.headers["advocate"],
    )
    assert r.status_code == 200, r.json
    assert [(s["tag"], s["network"], s["reason"], s["reported_on"]) for s in r.json["sims_to_bar"]] == [
        (loan["sim"], "Vodafone", "stolen", "2026-11-20")
    ]
    assert r.json["loan"]["data_plans"][0]["status"] == "ended"
    db.session.rollback()
    assert status(loan["tablet"]) == "retired" and status(loan["sim"]) == "retired"
    items = db.session.scalars(sa.select(LoanItem).order_by(LoanItem.id)).all()
    assert [(i.returned_on, i.closed_as.value) for i in items] == [(date(2026, 11, 20), "stolen")] * 2
    retire = db.session.scalars(sa.select(Event).where(Event.action == "retire")).all()
    assert {e.details["reason"] for e in retire} == {"stolen"}
    plan = db.session.scalar(sa.select(DataPlan))
    assert plan.ended_on == date(2026, 11, 20)

    # No reminder goes out for the ended plan, even on its reminder days.
    with unit_of_work():
        assert reminders.sweep(date(2027, 2, 21))["participants"] == 0

    # The warehouse's list, until the SIM is marked barred; nothing personal on it.
    listed = client.get("/api/v1/sims-to-bar", headers=world.headers["warehouse"])
    assert listed.status_code == 200 and [s["tag"] for s in listed.json] == [loan["sim"]]
    assert "participant" not in listed.json[0] and listed.json[0]["barred_at"] is None
    assert client.get("/api/v1/sims-to-bar", headers=world.headers["advocate"]).status_code == 403
    assert client.post(f"/api/v1/assets/{loan['sim']}/barred", headers=world.headers["partner"]).status_code == 403
    marked = client.post(f"/api/v1/assets/{loan['sim']}/barred", headers=world.headers["warehouse"])
    assert marked.status_code == 200 and marked.json["barred_at"]
    assert client.get("/api/v1/sims-to-bar", headers=world.headers["admin"]).json == []
    again = client.post(f"/api/v1/assets/{loan['sim']}/barred", headers=world.headers["warehouse"])
    assert again.status_code == 409 and "already marked barred" in again.json["message"]
    tablet = client.post(f"/api/v1/assets/{loan['tablet']}/barred", headers=world.headers["warehouse"])
    assert tablet.status_code == 409 and "not on the list" in tablet.json["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "broken"}, "reason"),
        ({"reason": "lost", "reported_on": (TODAY + timedelta(days=1)).isoformat()}, "reported_on"),
        ({"reason": "lost", "reported_on": "2026-08-30"}, "reported_on"),
    ],
)
def test_a_loss_report_with_a_bad_reason_or_date_is_refused_and_changes_nothing(client, world, loan, body, field):
    r = client.post(
        f"/api/v1/loans/{loan['id']}/lost", json={"items": [loan["sim"]]} | body, headers=world.headers["advocate"]
    )
    assert r.status_code == 422 and field in (r.json["errors"].get("json") or r.json["errors"]), r.json
    db.session.rollback()
    assert status(loan["sim"]) == "on_loan"
    assert client.get("/api/v1/sims-to-bar", headers=world.headers["warehouse"]).json == []


def test_an_item_already_gone_cannot_be_reported_lost(client, world, loan):
    lost = {"items": [loan["sim"]], "reason": "lost"}
    assert (
        client.post(f"/api/v1/loans/{loan['id']}/lost", json=lost, headers=world.headers["advocate"]).status_code == 200
    )
    r = client.post(f"/api/v1/loans/{loan['id']}/lost", json=lost, headers=world.headers["advocate"])
    assert r.status_code == 422 and "already left" in r.json["errors"]["items"][0]


# --- return dates ---------------------------------------------------------------------------------


@pytest.fixture
def lending(world):
    with unit_of_work():
        reference.create_programme(
            code="LEND",
            name="Lending library",
            connectivity_months=2,
            ownership_rule="loan_only",
            assessment_name="Level 1",
            pass_mark=70,
            loan_weeks=4,
        )


def test_a_loan_on_a_loan_only_programme_gets_its_return_date(client, world, lending, make_asset, make_participant):
    assert client.get("/api/v1/programmes/LEND", headers=world.headers["admin"]).json["loan_weeks"] == 4
    person = make_participant(programme="LEND")
    r = client.post(
        "/api/v1/loans",
        json={
            "participant": person.id,
            "items": [make_asset("laptop", programme="LEND").tag],
            "agreement_accepted": True,
            "issued_on": "2026-11-01",
        },
        headers=world.headers["advocate"],
    )
    assert r.status_code == 201 and r.json["due_on"] == "2026-11-29"


def test_only_a_loan_only_programme_has_a_loan_length(client, world):
    body = {
        "code": "GIFT",
        "name": "Gifted",
        "connectivity_months": 6,
        "ownership_rule": "on_issue",
        "assessment_name": "L1",
        "pass_mark": 50,
        "loan_weeks": 4,
    }
    r = client.post("/api/v1/programmes", json=body, headers=world.headers["admin"])
    assert r.status_code == 422 and "loan_weeks" in r.json["errors"], r.json
    r = client.post(
        "/api/v1/programmes",
        json=body | {"ownership_rule": "on_issue", "loan_weeks": None},
        headers=world.headers["admin"],
    )
    assert r.status_code == 201 and r.json["loan_weeks"] is None


def _due_rows():
    return db.session.execute(
        sa.select(Notification.kind, Notification.days_before, Notification.advocate_id.is_not(None))
        .where(Notification.loan_id.is_not(None))
        .order_by(Notification.id)
    ).all()


def test_return_reminders_a_week_before_and_on_the_day_once_each(
    client, world, lending, make_asset, make_participant, issue
):
    person = make_participant(programme="LEND")
    receipt = issue(person, make_asset("laptop", programme="LEND").tag, issued_on=date(2026, 11, 1))
    due = date.fromisoformat(receipt["due_on"])
    sent = {}
    day = due - timedelta(days=10)
    while day <= due + timedelta(days=10):
        with unit_of_work():
            sent[day] = reminders.sweep(day)
        with unit_of_work():
            assert reminders.sweep(day) == {"participants": 0, "advocates": 0}  # running again adds nothing
        day += timedelta(days=1)
    assert [d for d, n in sent.items() if n["participants"]] == [due - timedelta(days=7), due]
    assert [d for d, n in sent.items() if n["advocates"]] == [due - timedelta(days=7), due]
    assert [(k.value, d, adv) for k, d, adv in _due_rows()] == [
        ("return_due", 7, False),
        ("advocate_return", 7, True),
        ("return_due", 0, False),
        ("advocate_return", 0, True),
    ]
    # The advocate's outbox shows them; the participant's SMS names no item and no person.
    outbox = client.get(f"/api/v1/notifications?participant={person.id}", headers=world.headers["advocate"]).json
    assert {n["kind"] for n in outbox} == {"return_due", "advocate_return"}


def test_a_loan_that_came_back_gets_no_return_reminder(client, world, lending, make_asset, make_participant, issue):
    person = make_participant(programme="LEND")
    receipt = issue(person, make_asset("laptop", programme="LEND").tag, issued_on=date(2026, 11, 1))
    client.post(
        f"/api/v1/loans/{receipt['id']}/return", json={"location": "WH-MAIN"}, headers=world.headers["advocate"]
    )
    with unit_of_work():
        assert reminders.sweep(date.fromisoformat(receipt["due_on"])) == {"participants": 0, "advocates": 0}


def test_the_overdue_list_is_the_advocates_own_caseload(client, world, lending, make_asset, make_participant, issue):
    with unit_of_work():
        other, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
        other_token = users.create_token(other)
    mine = make_participant(programme="LEND")
    theirs = make_participant(programme="LEND", advocate=other)
    late = issue(mine, make_asset("laptop", programme="LEND").tag, issued_on=date(2026, 10, 1))  # due 29 Oct
    issue(mine, make_asset("laptop", programme="LEND").tag, issued_on=date(2026, 11, 1))  # due 29 Nov: not yet
    issue(theirs, make_asset("laptop", programme="LEND").tag, issued_on=date(2026, 10, 1), actor=other)
    r = client.get("/api/v1/loans/overdue", headers=world.headers["advocate"])
    assert r.status_code == 200
    assert [(x["id"], x["due_on"], x["days_overdue"], x["reference"]) for x in r.json] == [
        (late["id"], "2026-10-29", 24, mine.reference)
    ]
    assert "name" not in r.json[0]
    theirs_list = client.get("/api/v1/loans/overdue", headers={"Authorization": f"Bearer {other_token}"}).json
    assert [x["reference"] for x in theirs_list] == [theirs.reference]
    assert len(client.get("/api/v1/loans/overdue", headers=world.headers["admin"]).json) == 2
    assert client.get("/api/v1/loans/overdue", headers=world.headers["warehouse"]).status_code == 403
    # Back in: no longer overdue.
    client.post(f"/api/v1/loans/{late['id']}/return", json={"location": "WH-MAIN"}, headers=world.headers["advocate"])
    assert client.get("/api/v1/loans/overdue", headers=world.headers["advocate"]).json == []


def test_a_swap_in_a_kit_puts_the_replacement_in_the_kit(client, world, make_asset, make_participant, issue):
    from inventory.services import kits

    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET")
    receipt = issue(make_participant(), kit.tag)
    fresh = make_asset("sim").tag
    r = swap(client, world, receipt["id"], {"out": sim.tag, "in": fresh, "location": "WH-MAIN", "reason": "dead"})
    assert r.status_code == 200, r.json
    got = client.get(f"/api/v1/kits/{kit.tag}", headers=world.headers["warehouse"]).json
    assert sorted(got["items"]) == sorted([tablet.tag, fresh]) and got["status"] == "on_loan"
    back = client.post(
        f"/api/v1/loans/{receipt['id']}/return", json={"location": "WH-MAIN"}, headers=world.headers["advocate"]
    )
    assert back.status_code == 200, back.json
    assert client.get(f"/api/v1/kits/{kit.tag}", headers=world.headers["warehouse"]).json["status"] == "dismantled"


def test_the_new_operations_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/loans/{loan_id}/swap", "/api/v1/loans/{loan_id}/lost", "/api/v1/assets/{tag}/barred"):
        operation = spec["paths"][path]["post"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"], path
    assert spec["paths"]["/api/v1/sims-to-bar"]["get"] and spec["paths"]["/api/v1/loans/overdue"]["get"]
    swap_body = spec["paths"]["/api/v1/loans/{loan_id}/swap"]["post"]["requestBody"]["content"]["application/json"]
    assert swap_body["schema"]["$ref"].endswith("/SwapArgs")
    assert set(spec["components"]["schemas"]["SwapArgs"]["properties"]) == {"out", "in", "location", "reason"}
    assert "in" in spec["components"]["schemas"]["Swap"]["properties"]
