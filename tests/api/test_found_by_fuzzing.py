"""The seven inputs that fuzzing found answering 500: each is now a 4xx that says what is wrong, and
stores nothing."""

from __future__ import annotations

import re

import requests

from tests.api.test_bad_input import fingerprint


def test_an_empty_tag_in_a_loan_is_named(client, world, make_participant):
    person = make_participant()
    before = fingerprint()
    r = client.post(
        "/api/v1/loans",
        json={"participant": person.id, "items": [""], "agreement_accepted": True},
        headers=world.headers["advocate"],
    )
    assert r.status_code in (400, 422) and "tag" in str(r.json).lower(), r.json
    assert fingerprint() == before


def test_a_template_line_without_a_type_is_named(client, world):
    r = client.post(
        "/api/v1/kit-templates",
        json={"code": "T-X", "name": "T", "programme": "DII", "contents": [{"count": 1}]},
        headers=world.headers["admin"],
    )
    assert r.status_code == 422 and r.json["errors"]["json"]["contents"]["0"]["type"], r.json


def test_a_plan_cannot_be_extended_past_ten_years(client, world, make_asset, make_participant, issue):
    plan = issue(make_participant(), make_asset("sim").tag)["data_plans"][0]
    codes = [
        client.post(
            f"/api/v1/data-plans/{plan['id']}/extend", json={"months": 24}, headers=world.headers["advocate"]
        ).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 200, 422]
    last = client.post(
        f"/api/v1/data-plans/{plan['id']}/extend", json={"months": 24}, headers=world.headers["advocate"]
    ).json
    assert "at most 120" in last["message"] and last["errors"]["months"] == ["At most 18."]


def test_json_nested_fifty_thousand_deep_is_a_400(client, world):
    r = client.post(
        "/api/v1/organisations", data="[" * 50_000, content_type="application/json", headers=world.headers["admin"]
    )
    assert r.status_code == 400 and r.json["code"] == 400


def test_report_dates_far_outside_the_century_are_refused(client, world):
    r = client.get(
        "/api/v1/reports/outcomes",
        query_string={"from": "0001-01-01", "to": "9999-12-31"},
        headers=world.headers["admin"],
    )
    assert r.status_code == 422 and "to" in r.json["errors"], r.json


def test_a_next_address_with_a_line_break_goes_home_and_sets_no_header(client, world):
    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    r = client.post(
        "/sign-in?next=/x%0d%0aSet-Cookie:%20pwn=1",
        data={"email": "admin@test.example", "password": "correct horse battery", "csrf_token": token},
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert "pwn" not in str(r.headers)


def test_a_chunked_upload_over_the_limit_is_refused_whole(live_server, app, world):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 4096
    try:
        rows = "".join(f"chair,M,C,CHUNK-{n:05d},WH-MAIN\n" for n in range(200)) + "chair,M,C,,NOWHERE\n"

        def chunks():
            body = ("type,make,model,serial,location\n" + rows).encode()
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        r = requests.post(
            f"{live_server}/api/v1/assets/import",
            data=chunks(),
            headers=world.headers["warehouse"] | {"Content-Type": "text/csv"},
        )
        assert r.status_code == 413, r.text
        listed = requests.get(
            f"{live_server}/api/v1/assets", params={"q": "CHUNK-00001"}, headers=world.headers["warehouse"]
        ).json()
        assert listed == []
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
