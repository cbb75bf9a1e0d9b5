"""The participant's page swaps a faulty item and reports lost or stolen kit (after asking); the
advocate's overdue list; the warehouse's SIMs to bar."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import AccessLogEntry, Asset, DataPlan, SimToBar
from inventory.services import reference
from tests.conftest import BASE_URL


def stored(tag):
    db.session.expire_all()
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def test_an_advocate_swaps_a_faulty_sim_from_the_participants_page(as_role, make_asset, make_participant, issue):
    client, token = as_role("advocate")
    person = make_participant()
    sim, fresh = make_asset("sim"), make_asset("sim")
    issue(person, sim.tag, issued_on=date(2026, 8, 31))
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    assert "Swap a faulty item" in page and "Report lost or stolen" in page
    loan_id = db.session.scalar(sa.select(DataPlan.loan_id))
    done = client.post(
        f"/participants/{person.id}/loans/{loan_id}/swap",
        data={
            "csrf_token": token,
            "out": sim.tag,
            "in": f"{BASE_URL}/a/{fresh.tag}",
            "location": "HUB-A",
            "reason": "dead",
        },
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    assert stored(sim.tag).status.value == "quarantine" and stored(fresh.tag).status.value == "on_loan"
    plan = db.session.scalar(sa.select(DataPlan))
    assert plan.sim_id == stored(fresh.tag).id and plan.ends_on == date(2027, 2, 28)
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    assert "The free data moved to the new SIM" in page
    assert f'swapped for <span class="app-code tag">{fresh.tag}</span>' in page


def test_a_swap_refused_shows_why_on_the_page_and_changes_nothing(as_role, make_asset, make_participant, issue):
    client, token = as_role("advocate")
    person = make_participant()
    tablet, laptop = make_asset("tablet"), make_asset("laptop")
    receipt = issue(person, tablet.tag)
    refused = client.post(
        f"/participants/{person.id}/loans/{receipt['id']}/swap",
        data={"csrf_token": token, "out": tablet.tag, "in": laptop.tag, "location": "HUB-A", "reason": "x"},
    )
    assert refused.status_code == 422 and "same type" in refused.get_data(as_text=True)
    assert stored(tablet.tag).status.value == "on_loan" and stored(laptop.tag).status.value == "in_stock"


def test_a_loss_report_asks_first_then_retires_and_lists_the_sim_to_bar(as_role, make_asset, make_participant, issue):
    client, token = as_role("advocate")
    person = make_participant()
    tablet, sim = make_asset("tablet"), make_asset("sim", network="EE")
    receipt = issue(person, tablet.tag, sim.tag)
    form = {"csrf_token": token, "items": [tablet.tag, sim.tag], "reason": "stolen", "reported_on": "2026-11-22"}
    ask = client.post(f"/participants/{person.id}/loans/{receipt['id']}/lost", data=form)
    text = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Yes, report them stolen" in text and "EE" in text
    early = client.post(
        f"/participants/{person.id}/loans/{receipt['id']}/lost", data=form | {"reported_on": "2026-11-01"}
    )
    assert early.status_code == 422 and "before the loan was issued" in early.get_data(as_text=True)
    assert stored(tablet.tag).status.value == "on_loan"  # nothing yet
    done = client.post(f"/participants/{person.id}/loans/{receipt['id']}/lost", data=form | {"confirm": "yes"})
    assert done.status_code == 302
    assert stored(tablet.tag).status.value == "retired" and stored(sim.tag).status.value == "retired"
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    assert f"SIM {sim.tag} (EE) is on the warehouse&#39;s list to bar" in page
    assert "Report lost or stolen" not in page  # nothing left out on loan
    assert db.session.scalar(sa.select(DataPlan.ended_on)) == date(2026, 11, 22)
    logged = db.session.scalars(sa.select(AccessLogEntry.what).order_by(AccessLogEntry.id)).all()
    assert f"loan {receipt['id']} items stolen" in logged


def test_a_loss_report_without_a_reason_is_refused(as_role, make_asset, make_participant, issue):
    client, token = as_role("advocate")
    person = make_participant()
    tablet = make_asset("tablet")
    receipt = issue(person, tablet.tag)
    r = client.post(
        f"/participants/{person.id}/loans/{receipt['id']}/lost", data={"csrf_token": token, "items": [tablet.tag]}
    )
    assert r.status_code == 422 and "lost or stolen" in r.get_data(as_text=True)


def test_the_warehouse_marks_a_sim_barred(as_role, make_asset, make_participant, issue, client, world):
    sim = make_asset("sim", network="Three")
    receipt = issue(make_participant(), sim.tag)
    client.post(
        f"/api/v1/loans/{receipt['id']}/lost",
        json={"items": [sim.tag], "reason": "lost"},
        headers=world.headers["advocate"],
    )
    warehouse, token = as_role("warehouse")
    page = warehouse.get("/sims-to-bar").get_data(as_text=True)
    assert sim.tag in page and "Three" in page and "Marked barred" in page
    assert warehouse.post(f"/sims-to-bar/{sim.tag}/barred", data={"csrf_token": token}).status_code == 302
    page = warehouse.get("/sims-to-bar").get_data(as_text=True)
    assert "is marked barred" in page and "No SIMs are waiting" in page
    assert db.session.scalar(sa.select(SimToBar.barred_at)) is not None


def test_issuing_on_a_loan_only_programme_says_when_it_is_due_back(as_role, world, make_asset, make_participant):
    with unit_of_work():
        reference.create_programme(
            code="LEND",
            name="Lending",
            connectivity_months=1,
            ownership_rule="loan_only",
            assessment_name="L1",
            pass_mark=50,
            loan_weeks=3,
        )
    person = make_participant(programme="LEND")
    laptop = make_asset("laptop", programme="LEND")
    client, token = as_role("advocate")
    done = client.post(
        f"/participants/{person.id}/issue", data={"csrf_token": token, "items": laptop.tag, "agreement": "yes"}
    )
    assert done.status_code == 200 and "Due back 13 December 2026" in done.get_data(as_text=True)


def test_the_overdue_page_lists_the_advocates_late_loans(as_role, world, make_asset, make_participant, issue):
    with unit_of_work():
        reference.create_programme(
            code="LEND",
            name="Lending",
            connectivity_months=1,
            ownership_rule="loan_only",
            assessment_name="L1",
            pass_mark=50,
            loan_weeks=2,
        )
    person = make_participant(programme="LEND")
    issue(person, make_asset("laptop", programme="LEND").tag, issued_on=date(2026, 11, 1))  # due 15 Nov
    client, _ = as_role("advocate")
    page = client.get("/overdue").get_data(as_text=True)
    assert person.reference in page and "15 November 2026" in page and person.name not in page
    case = client.get(f"/participants/{person.id}").get_data(as_text=True)
    assert "Overdue" in case and "7 days ago" in case


def test_an_admin_sets_a_loan_length_on_a_loan_only_programme(as_role):
    client, token = as_role("admin")
    form = {
        "csrf_token": token,
        "code": "LEND",
        "name": "Lending",
        "connectivity_months": "2",
        "ownership_rule": "on_issue",
        "assessment_name": "L1",
        "pass_mark": "50",
        "loan_weeks": "6",
    }
    refused = client.post("/admin/programme", data=form)
    assert refused.status_code == 422 and "loan_only" in refused.get_data(as_text=True)
    assert client.post("/admin/programme", data=form | {"ownership_rule": "loan_only"}).status_code == 302
    assert reference.get_programme("LEND").loan_weeks == 6
