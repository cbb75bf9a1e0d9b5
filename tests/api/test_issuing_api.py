"""The advocates' workflow over HTTP, and who may see what."""

import io
import json

from pypdf import PdfReader


def add_participant(client, headers, **fields):
    body = {
        "reference": "HIW-000123",
        "name": "Robin Example",
        "phone": "07700 900 321",
        "email": "robin@example.org",
        "area": "st helens",
        "referral_source": "restart",
        "programme": "dii",
        "contact_consent": True,
    }
    body.update(fields)
    return client.post("/api/v1/participants", json=body, headers=headers)


def test_an_advocates_day(client, world, make_asset):
    from inventory.services import kits

    tablet, sim = make_asset("tablet", serial="R9CA032FA5"), make_asset("sim")
    kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET")
    advocate = world.headers["advocate"]

    r = add_participant(client, advocate)
    assert r.status_code == 201, r.json
    person = r.json
    assert person["phone"] == "+447700900321" and person["area"] == "St Helens"
    assert person["advocate"] == "advocate@test.example"

    r = client.post(
        "/api/v1/loans",
        json={"participant": person["id"], "items": [kit.tag], "agreement_accepted": True, "issued_on": "2026-08-31"},
        headers={**advocate, "Idempotency-Key": "home-visit-1"},
    )
    assert r.status_code == 201
    loan = r.json
    assert loan["data_plans"][0]["ends_on"] == "2027-02-28" and loan["data_plans"][0]["sim"] == sim.tag

    failed = client.post(
        "/api/v1/assessments",
        json={"participant": person["id"], "score": 9, "max_score": 20, "taken_on": "2026-11-01", "venue": "home"},
        headers=advocate,
    )
    assert failed.status_code == 201 and failed.json == {"id": failed.json["id"], "passed": False, "transfer": None}
    passed = client.post(
        "/api/v1/assessments",
        json={
            "participant": person["id"],
            "score": 17,
            "max_score": 20,
            "taken_on": "2026-11-20",
            "venue": "mobile_unit",
        },
        headers=advocate,
    )
    transfer = passed.json["transfer"]
    assert passed.json["passed"] and sorted(transfer["assets"]) == sorted([tablet.tag, sim.tag])

    pdf = client.get(f"/api/v1/transfers/{transfer['id']}/certificate", headers=advocate)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "R9CA032FA5" in text and "Robin Example" in text

    detail = client.get(f"/api/v1/participants/{person['id']}", headers=advocate).json
    assert [a["passed"] for a in detail["assessments"]] == [False, True]
    assert detail["data_plans"][0]["status"] == "active" and len(detail["transfers"]) == 1

    # Warehouse staff see the tablet is owned, but nothing about whom it went to.
    seen = client.get(f"/api/v1/assets/{tablet.tag}", headers=world.headers["warehouse"])
    history = client.get(f"/api/v1/assets/{tablet.tag}/history", headers=world.headers["warehouse"])
    scan = client.get("/api/v1/scan", query_string={"code": "r9ca032fa5"}, headers=world.headers["warehouse"])
    assert seen.json["status"] == "owned"
    for response in (seen, history, scan):
        blob = json.dumps(response.json)
        assert "Robin" not in blob and "robin@example.org" not in blob and "7700900321" not in blob
        assert "HIW-000123" not in blob


def test_a_retried_issue_with_the_same_key_is_answered_once(client, world, make_asset, make_participant):
    sim = make_asset("sim")
    person = make_participant()
    body = {"participant": person.id, "items": [sim.tag], "agreement_accepted": True}
    headers = {**world.headers["advocate"], "Idempotency-Key": "retry-me"}
    first = client.post("/api/v1/loans", json=body, headers=headers)
    second = client.post("/api/v1/loans", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json == first.json and second.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/loans", json={**body, "items": [make_asset("sim").tag]}, headers=headers)
    assert other.status_code == 422 and "different request" in other.json["message"]


def test_only_admins_and_the_own_advocate_see_a_participant(client, world, make_participant):
    from inventory.services import users

    other, _ = users.create_user("second@test.example", "advocate", password="correct horse battery")
    token = users.create_token(other)
    person = make_participant()
    path = f"/api/v1/participants/{person.id}"
    assert client.get(path, headers=world.headers["advocate"]).status_code == 200
    assert client.get(path, headers=world.headers["admin"]).status_code == 200
    assert client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 404
    assert client.get(path, headers=world.headers["warehouse"]).status_code == 403
    assert client.get(path, headers=world.headers["partner"]).status_code == 403
    assert client.get("/api/v1/participants", headers={"Authorization": f"Bearer {token}"}).json == []


def test_participant_input_is_checked_field_by_field(client, world):
    r = add_participant(
        client,
        world.headers["advocate"],
        phone="0151 123 4567",
        email="not-an-email",
        area="Leeds",
        referral_source="friend",
    )
    assert r.status_code == 422
    assert set(r.json["errors"]["json"]) == {"area", "referral_source"}
    r = add_participant(client, world.headers["advocate"], phone="0151 123 4567", email="not-an-email")
    assert r.status_code == 422 and set(r.json["errors"]) == {"phone", "email"}
    assert add_participant(client, world.headers["admin"]).json["errors"] == {
        "advocate": ["Required when an administrator adds a participant."]
    }
    ok = add_participant(client, world.headers["admin"], advocate="advocate@test.example")
    assert ok.status_code == 201
    dup = add_participant(client, world.headers["admin"], advocate="advocate@test.example")
    assert dup.status_code == 409


def test_returns_by_scanning_an_item(client, world, make_asset, make_participant, issue):
    sim = make_asset("sim")
    issue(make_participant(), sim.tag)
    r = client.post(
        f"/api/v1/assets/{sim.tag}/return",
        json={"location": "WH-MAIN", "note": "posted back"},
        headers=world.headers["warehouse"],
    )
    assert r.status_code == 200 and r.json["data_plans"][0]["status"] == "ended"
    assert client.get(f"/api/v1/assets/{sim.tag}", headers=world.headers["warehouse"]).json["status"] == "quarantine"
    again = client.post(
        f"/api/v1/assets/{sim.tag}/return", json={"location": "WH-MAIN"}, headers=world.headers["warehouse"]
    )
    assert again.status_code == 409 and "not on loan" in again.json["message"]


def test_data_plans_filter_and_extend(client, world, make_asset, make_participant, issue):
    from datetime import date

    person = make_participant()
    issue(person, make_asset("sim").tag, issued_on=date(2026, 6, 1))  # ends 2026-12-01
    issue(person, make_asset("sim").tag, issued_on=date(2026, 11, 1))  # ends 2027-05-01
    headers = world.headers["advocate"]
    soon = client.get("/api/v1/data-plans?status=active&ends_before=2027-01-01", headers=headers).json
    assert [p["ends_on"] for p in soon] == ["2026-12-01"]
    r = client.post(f"/api/v1/data-plans/{soon[0]['id']}/extend", json={"months": 3}, headers=headers)
    assert r.status_code == 200 and r.json["ends_on"] == "2027-03-01"
    assert (
        client.post(f"/api/v1/data-plans/{soon[0]['id']}/extend", json={"months": 0}, headers=headers).status_code
        == 422
    )


def test_outcome_report_as_csv_for_admins_only(client, world):
    r = client.get("/api/v1/reports/outcomes?format=csv&from=2026-01-01&to=2026-11-22", headers=world.headers["admin"])
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.get_data(as_text=True).splitlines()[-1].startswith("all,0,0,")
    assert client.get("/api/v1/reports/outcomes", headers=world.headers["advocate"]).status_code == 403
    bad = client.get("/api/v1/reports/outcomes?from=2026-12-01&to=2026-01-01", headers=world.headers["admin"])
    assert bad.status_code == 422


def test_erase_through_the_api(client, world, make_participant):
    person = make_participant(name="Forget Me")
    r = client.post(f"/api/v1/participants/{person.id}/erase", headers=world.headers["admin"])
    assert r.status_code == 200 and r.json["name"] is None and r.json["erased"] is True
    export = client.get(f"/api/v1/participants/{person.id}/export", headers=world.headers["admin"]).json
    assert export["name"] is None and export["reference"] == person.reference
