"""A participant's enrolment date: today unless backdated, never in the future, editable, and what the
outcome report counts people helped by."""

from tests.conftest import TODAY


def add(client, headers, **fields):
    body = {
        "reference": "ENROL-1",
        "name": "Sam Example",
        "area": "Halton",
        "referral_source": "restart",
        "programme": "DII",
    } | fields
    return client.post("/api/v1/participants", json=body, headers=headers)


def report_participants(client, world, **query):
    r = client.get("/api/v1/reports/outcomes", query_string=query, headers=world.headers["admin"])
    assert r.status_code == 200, r.json
    return r.json["totals"]["participants"]


def test_enrolled_today_unless_backdated(client, world):
    today = add(client, world.headers["advocate"])
    assert today.status_code == 201 and today.json["enrolled_on"] == TODAY.isoformat()
    back = add(client, world.headers["advocate"], reference="ENROL-2", enrolled_on="2026-03-02")
    assert back.status_code == 201 and back.json["enrolled_on"] == "2026-03-02"


def test_an_enrolment_in_the_future_is_refused_and_nothing_stored(client, world):
    r = add(client, world.headers["advocate"], enrolled_on="2026-11-23")
    assert r.status_code == 422 and "enrolled_on" in r.json["errors"]
    listed = client.get("/api/v1/participants", headers=world.headers["advocate"]).json
    assert listed == []


def test_the_report_counts_people_by_the_day_they_enrolled(client, world):
    march = add(client, world.headers["advocate"], enrolled_on="2026-03-02").json
    add(client, world.headers["advocate"], reference="ENROL-2")
    assert report_participants(client, world, **{"from": "2026-03-01", "to": "2026-03-31"}) == 1
    assert report_participants(client, world, **{"from": "2026-11-01"}) == 1
    moved = client.patch(
        f"/api/v1/participants/{march['id']}", json={"enrolled_on": "2026-11-02"}, headers=world.headers["advocate"]
    )
    assert moved.status_code == 200 and moved.json["enrolled_on"] == "2026-11-02"
    assert report_participants(client, world, **{"from": "2026-03-01", "to": "2026-03-31"}) == 0
    assert report_participants(client, world, **{"from": "2026-11-01"}) == 2


def test_details_are_edited_by_their_own_advocate_only(client, world):
    person = add(client, world.headers["advocate"], phone="07700 900555").json
    changed = client.patch(
        f"/api/v1/participants/{person['id']}",
        json={"phone": "07700900556", "area": "Wirral"},
        headers=world.headers["advocate"],
    )
    assert changed.status_code == 200 and changed.json["phone"] == "+447700900556"
    assert changed.json["area"] == "Wirral" and changed.json["reference"] == "ENROL-1"
    bad = client.patch(
        f"/api/v1/participants/{person['id']}",
        json={"phone": "12", "enrolled_on": "2027-01-01"},
        headers=world.headers["advocate"],
    )
    assert bad.status_code == 422 and {"phone", "enrolled_on"} <= set(bad.json["errors"])
    assert (
        client.get(f"/api/v1/participants/{person['id']}", headers=world.headers["advocate"]).json["phone"]
        == "+447700900556"
    )
    assert (
        client.patch(
            f"/api/v1/participants/{person['id']}", json={"area": "Halton"}, headers=world.headers["warehouse"]
        ).status_code
        == 403
    )
