"""Malformed and hostile input: always a 4xx JSON error saying what and where, never a 500,
and a refused request stores nothing."""

import pytest
import sqlalchemy as sa

from inventory.extensions import db

JUNK = [12345, 1.5, True, None, [], {}, "", "x" * 5000, "nope-unknown", "'; DROP TABLE assets; --", "\u0000", "💥" * 50]


# A refused sign-in is counted on purpose (sign_in_rules): the one row a refusal may leave.
KEPT_DESPITE_REFUSAL = {"sign_in_failures"}


def fingerprint():
    """Row counts of every table: a refused request must leave them all as they were."""
    return {
        t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
        if t.name not in KEPT_DESPITE_REFUSAL
    }


@pytest.fixture
def bodies(world, make_asset, make_participant, issue):
    tablet, sim, desk = make_asset("tablet"), make_asset("sim"), make_asset("desk")
    person = make_participant()
    loan = issue(person, make_asset("sim").tag, make_asset("chair").tag)
    return [
        (
            "/api/v1/participants",
            {
                "reference": "R-1",
                "name": "N",
                "phone": "07700900123",
                "email": "a@b.org",
                "area": "Halton",
                "referral_source": "other",
                "programme": "DII",
                "contact_consent": True,
                "advocate": "advocate@test.example",
            },
        ),
        (
            "/api/v1/loans",
            {"participant": person.id, "items": [desk.tag], "agreement_accepted": True, "issued_on": "2026-11-01"},
        ),
        (f"/api/v1/loans/{loan['id']}/return", {"location": "WH-MAIN", "items": [loan["items"][1]], "note": "n"}),
        (
            "/api/v1/assessments",
            {"participant": person.id, "score": 5, "max_score": 20, "taken_on": "2026-11-01", "venue": "home"},
        ),
        (f"/api/v1/data-plans/{loan['data_plans'][0]['id']}/extend", {"months": 2}),
        (f"/api/v1/participants/{person.id}/reassign", {"advocate": "advocate@test.example"}),
        (
            "/api/v1/programmes",
            {
                "code": "P1",
                "name": "P",
                "connectivity_months": 6,
                "ownership_rule": "on_issue",
                "assessment_name": "A",
                "pass_mark": 70,
                "reminder_days": [30, 7, 0],
            },
        ),
        ("/api/v1/organisations", {"code": "O1", "name": "O"}),
        ("/api/v1/locations", {"code": "L1", "name": "L", "kind": "hub", "area": "St Helens", "organisation": "OPS"}),
        (
            "/api/v1/kit-templates",
            {"code": "K1", "name": "K", "programme": "DII", "contents": [{"type": "tablet", "count": 1}]},
        ),
        (
            "/api/v1/users",
            {
                "email": "u1@test.example",
                "role": "partner",
                "organisation": "PARTNER-A",
                "password": "long enough password",
            },
        ),
        (
            "/api/v1/assets",
            {
                "type": "tablet",
                "make": "M",
                "model": "T",
                "serial": "S-1",
                "imei": "356174125700784",
                "condition": "A",
                "wipe_certificate": "W",
                "programme": "DII",
                "location": "WH-MAIN",
            },
        ),
        (f"/api/v1/assets/{tablet.tag}/move", {"location": "HUB-A", "note": "n"}),
        (f"/api/v1/assets/{tablet.tag}/quarantine", {"location": "HUB-A", "note": "n"}),
        (f"/api/v1/assets/{tablet.tag}/retire", {"reason": "lost", "note": "n"}),
        (f"/api/v1/assets/{desk.tag}/restock", {"wipe_certificate": "W", "condition": "B", "location": "WH-MAIN"}),
        ("/api/v1/kits", {"items": [tablet.tag, sim.tag], "template": "DII-TABLET", "note": "n"}),
        ("/api/v1/auth/tokens", {"email": "admin@test.example", "password": "correct horse battery"}),
    ]


def assert_clean_refusal(r, before, where):
    assert r.status_code != 500, where
    if r.status_code >= 400:
        assert 400 <= r.status_code < 500, where
        assert r.is_json and r.json["code"] == r.status_code and r.json["message"], where
        assert fingerprint() == before, f"{where} stored something although it was refused"


def test_every_field_of_every_body_with_junk(client, world, bodies):
    headers = world.headers["admin"]
    for path, good in bodies:
        for field in good:
            for junk in JUNK:
                before = fingerprint()
                r = client.post(path, json={**good, field: junk}, headers=headers)
                # Some junk is acceptable (an empty note, say) and changes state; later calls may then
                # be refused for that state, which is still a clean 4xx.
                assert_clean_refusal(r, before, (path, field, repr(junk)[:40]))


@pytest.mark.parametrize(
    "raw, content_type",
    [
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ("null", "application/json"),
        ('"a string"', "application/json"),
        ("", "application/json"),
        ("a=1", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies(client, world, bodies, raw, content_type):
    for path, _ in bodies:
        before = fingerprint()
        r = client.post(path, data=raw, content_type=content_type, headers=world.headers["admin"])
        if raw:  # an empty body is an empty object: fine where every field is optional
            assert r.status_code in (400, 401, 415, 422), (path, raw, r.status_code)
        assert_clean_refusal(r, before, (path, raw))


def test_unknown_fields_are_named(client, world):
    r = client.post(
        "/api/v1/organisations", json={"code": "O2", "name": "O", "colour": "red"}, headers=world.headers["admin"]
    )
    assert r.status_code == 422 and r.json["errors"] == {"json": {"colour": ["Unknown field."]}}


def test_enum_errors_list_the_allowed_values(client, world):
    r = client.post(
        "/api/v1/locations",
        json={"code": "L3", "name": "L", "kind": "shed", "area": "Leeds"},
        headers=world.headers["admin"],
    )
    assert r.json["errors"]["json"] == {
        "kind": ["Must be one of: warehouse, hub, mobile_unit."],
        "area": ["Must be one of: Halton, Knowsley, Liverpool, Sefton, St Helens, Wirral."],
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assets?type=phone",
        "/api/v1/assets?status=lost",
        "/api/v1/assets?q=" + "x" * 500,
        "/api/v1/assets?page=0",
        "/api/v1/assets?page_size=100000",
        "/api/v1/assets?page=abc",
        "/api/v1/scan",
        "/api/v1/scan?code=" + "%00" * 10,
        "/api/v1/assets/" + "A" * 3000,
        "/api/v1/assets/%F0%9F%92%A5",
        "/api/v1/kits/ZZZZZZZ",
        "/api/v1/stock?location=NOWHERE",
        "/api/v1/programmes/NOPE",
        "/api/v1/locations/" + "x" * 300,
        "/api/v1/nothing-here",
        "/api/v1/locations/%00",
        "/api/v1/assets?location=a%00b",
        "/api/v1/kits/%00",
    ],
)
def test_bad_queries_and_paths(client, world, path):
    r = client.get(path, headers=world.headers["admin"])
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert r.is_json and r.json["code"] == r.status_code and r.json["message"]


def test_wrong_method_is_a_json_405(client, world):
    r = client.put("/api/v1/assets", json={}, headers=world.headers["admin"])
    assert r.status_code == 405 and r.json["code"] == 405


def test_references_to_missing_things_say_which_field(client, world, make_asset):
    headers = world.headers["admin"]
    r = client.post(
        "/api/v1/locations",
        json={"code": "L4", "name": "L", "kind": "hub", "area": "Wirral", "organisation": "GHOST"},
        headers=headers,
    )
    assert r.status_code == 422 and r.json["errors"] == {"organisation": ["No organisation has code 'GHOST'."]}
    tablet = make_asset()
    r = client.post(f"/api/v1/assets/{tablet.tag}/move", json={"location": "GHOST"}, headers=headers)
    assert r.status_code == 422 and r.json["errors"] == {"location": ["No location has code 'GHOST'."]}
    r = client.post("/api/v1/kits", json={"items": [tablet.tag], "template": "GHOST"}, headers=headers)
    assert r.status_code == 422 and "template" in r.json["errors"]


def test_duplicate_codes_are_409(client, world):
    r = client.post("/api/v1/organisations", json={"code": "ops", "name": "Again"}, headers=world.headers["admin"])
    assert r.status_code == 409 and r.json["message"] == "A organisation with code OPS already exists"


BIG = "99999999999999999999"  # past 64 bits: no id can be this, and no database driver takes it


def test_numbers_too_big_for_any_id_are_4xx(client, world):
    headers = world.headers["admin"]
    for path in (
        f"/api/v1/participants/{BIG}",
        f"/api/v1/loans/{BIG}",
        f"/api/v1/transfers/{BIG}/certificate",
        f"/api/v1/data-plans?participant={BIG}",
        f"/api/v1/notifications?participant={BIG}",
    ):
        r = client.get(path, headers=headers)
        assert r.status_code in (404, 422) and r.is_json, (path, r.status_code)
    for path, body in (
        (f"/api/v1/data-plans/{BIG}/extend", {"months": 1}),
        (f"/api/v1/loans/{BIG}/return", {"location": "WH-MAIN"}),
        ("/api/v1/loans", {"participant": int(BIG), "items": ["24K78C5"], "agreement_accepted": True}),
        (
            "/api/v1/assessments",
            {"participant": int(BIG), "score": 1, "max_score": 2, "taken_on": "2026-01-01", "venue": "home"},
        ),
    ):
        r = client.post(path, json=body, headers=headers)
        assert r.status_code in (404, 422) and r.is_json, (path, r.status_code)


def test_a_page_past_the_end_is_empty(client, world, make_asset):
    make_asset()
    r = client.get(f"/api/v1/assets?page={BIG}", headers=world.headers["admin"])
    assert r.status_code == 200 and r.json == [] and '"total": 1' in r.headers["X-Pagination"]
