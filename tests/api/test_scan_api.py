"""Scanning: every form a scanner or a person gives, and never a wrong match."""

import pytest

from inventory import tags
from tests.conftest import BASE_URL


@pytest.fixture
def stock(make_asset):
    return {
        "tablet": make_asset("tablet", serial="R9174D9406", imei="356174125700784"),
        "sim": make_asset("sim", iccid="8944102600044000003"),
        "hub": make_asset("chair", location="HUB-A"),
    }


def scan(client, headers, code):
    return client.get("/api/v1/scan", query_string={"code": code}, headers=headers)


@pytest.mark.parametrize(
    "form, matched_by",
    [
        (lambda t: f"{BASE_URL}/a/{t}", "url"),
        (lambda t: f"http://127.0.0.1:5000/a/{t.lower()}/", "url"),
        (lambda t: t, "tag"),
        (lambda t: f"  {t.lower()[:3]} {t.lower()[3:]}  ", "tag"),
        (lambda t: f"{t[:3]}-{t[3:]}", "tag"),
    ],
)
def test_label_urls_and_tags_in_any_form(client, world, stock, form, matched_by):
    tag = stock["tablet"].tag
    r = scan(client, world.headers["warehouse"], form(tag))
    assert r.status_code == 200
    assert r.json == {
        "kind": "asset",
        "tag": tag,
        "type": "tablet",
        "status": "in_stock",
        "location": "WH-MAIN",
        "matched_by": matched_by,
        "actions": ["move", "build_kit", "quarantine", "retire", "history"],
    }
    assert scan(client, world.headers["advocate"], form(tag)).json["actions"] == ["issue", "history"]


@pytest.mark.parametrize(
    "code, key, matched_by",
    [
        ("r9174d9406", "tablet", "serial"),
        ("35-617412-570078-4", "tablet", "imei"),
        ("8944102600044000003", "sim", "iccid"),
        ("8944 1026 0004 4000 003F", "sim", "iccid"),
    ],
)
def test_serials_imeis_and_iccids(client, world, stock, code, key, matched_by):
    r = scan(client, world.headers["warehouse"], code)
    assert r.status_code == 200 and r.json["tag"] == stock[key].tag and r.json["matched_by"] == matched_by


def test_every_typo_of_a_real_tag_is_refused_as_a_check_failure(client, world, stock):
    tag = stock["tablet"].tag
    headers = world.headers["warehouse"]
    typos = {tag[:i] + ch + tag[i + 1 :] for i in range(len(tag)) for ch in tags.ALPHABET if ch != tag[i]}
    typos |= {tag[:i] + tag[i + 1] + tag[i] + tag[i + 2 :] for i in range(len(tag) - 1) if tag[i] != tag[i + 1]}
    other_tags = {a.tag for a in stock.values()}
    for typo in sorted(typos)[::7]:  # a spread of them; the unit tests cover all
        r = scan(client, headers, typo)
        assert r.status_code == 422, typo
        assert "failed its check character" in r.json["message"]
        assert typo not in other_tags


def test_a_label_url_with_a_typo_is_refused(client, world, stock):
    tag = stock["tablet"].tag
    typo = tag[:-1] + ("2" if tag[-1] != "2" else "3")
    r = scan(client, world.headers["warehouse"], f"{BASE_URL}/a/{typo}")
    assert r.status_code == 422 and "failed its check character" in r.json["message"]


def test_unknown_codes_are_404(client, world, stock):
    r = scan(client, world.headers["warehouse"], "NO-SUCH-SERIAL")
    assert r.status_code == 404 and "NO-SUCH-SERIAL" in r.json["message"]
    assert scan(client, world.headers["warehouse"], tags.tag_for_number(10**6)).status_code == 404


def test_empty_and_huge_codes_are_422(client, world):
    assert scan(client, world.headers["warehouse"], "   ").status_code == 422
    assert scan(client, world.headers["warehouse"], "X" * 301).status_code == 422


def test_a_kit_scans_as_a_kit_with_its_items(client, world, stock):
    headers = world.headers["warehouse"]
    kit = client.post(
        "/api/v1/kits",
        json={"items": [stock["tablet"].tag, stock["sim"].tag], "template": "DII-TABLET"},
        headers=headers,
    ).json
    r = scan(client, headers, f"{BASE_URL}/a/{kit['tag']}")
    assert r.json["kind"] == "kit" and r.json["type"] == "kit" and r.json["actions"] == ["move", "dismantle", "history"]
    assert sorted(r.json["items"]) == sorted([stock["tablet"].tag, stock["sim"].tag])
    item = scan(client, headers, stock["tablet"].tag).json
    assert item["status"] == "in_kit" and item["actions"] == ["retire", "history"]


def test_actions_follow_the_role(client, world, stock):
    tag = stock["hub"].tag
    assert scan(client, world.headers["advocate"], tag).json["actions"] == ["issue", "history"]
    assert scan(client, world.headers["partner"], tag).json["actions"] == []


def test_an_item_on_loan_offers_a_return(client, world, stock, make_participant, issue):
    issue(make_participant(), stock["sim"].tag)
    assert scan(client, world.headers["warehouse"], stock["sim"].tag).json["actions"] == ["return", "history"]


def test_partners_only_resolve_what_is_at_their_own_hubs(client, world, stock):
    headers = world.headers["partner"]
    assert scan(client, headers, stock["hub"].tag).status_code == 200
    assert scan(client, headers, stock["tablet"].tag).status_code == 404
    assert scan(client, headers, "R9174D9406").status_code == 404
