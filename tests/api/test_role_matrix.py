"""DESIGN.md's role table, walked over every endpoint for every role."""

import pytest

from inventory import tags

ALL = {"admin", "warehouse", "advocate", "partner"}
STOCK = {"admin", "warehouse"}
STAFF = {"admin", "warehouse", "advocate"}
CASEWORK = {"admin", "advocate"}
RETURNS = {"admin", "warehouse", "advocate"}
RETURNS_AT_HUBS = RETURNS | {"partner"}  # by the item's tag, at the partner's own hubs
HUB_STOCK = {"admin", "warehouse", "partner"}  # requests read, consignments received, labels printed
REQUESTERS = {"admin", "partner"}
COUNTING = {"admin", "warehouse", "partner"}
ADMIN = {"admin"}


def matrix(t, n="X"):
    """(method, path, body, roles allowed). `t` holds tags of assets and a kit set up for one role,
    and `n` makes new codes unique, so every allowed call can succeed."""
    return [
        ("GET", "/api/v1/programmes", None, ALL),
        (
            "POST",
            "/api/v1/programmes",
            {
                "code": f"NEW-{n}",
                "name": "N",
                "connectivity_months": 3,
                "ownership_rule": "loan_only",
                "assessment_name": "A",
                "pass_mark": 50,
            },
            ADMIN,
        ),
        ("GET", "/api/v1/programmes/DII", None, ALL),
        ("GET", "/api/v1/programmes/DII/agreements", None, ALL),
        ("POST", "/api/v1/programmes/DII/agreements", {"text": f"Agreement {n}"}, ADMIN),
        ("PATCH", "/api/v1/programmes/DII", {"pass_mark": 70}, ADMIN),
        ("GET", "/api/v1/organisations", None, ALL),
        ("POST", "/api/v1/organisations", {"code": f"NEWORG-{n}", "name": "N"}, ADMIN),
        ("GET", "/api/v1/organisations/PARTNER-A", None, ALL),
        ("GET", "/api/v1/locations", None, ALL),
        ("POST", "/api/v1/locations", {"code": f"NEWLOC-{n}", "name": "N", "kind": "hub", "area": "Sefton"}, ADMIN),
        ("GET", "/api/v1/locations/HUB-A", None, ALL),
        ("GET", "/api/v1/kit-templates", None, ALL),
        (
            "POST",
            "/api/v1/kit-templates",
            {"code": f"T-{n}", "name": "T", "programme": "DII", "contents": [{"type": "tablet", "count": 1}]},
            ADMIN,
        ),
        ("GET", "/api/v1/kit-templates/DII-TABLET", None, ALL),
        ("PATCH", "/api/v1/kit-templates/DII-TABLET", {"name": f"Tablet and SIM {n}"}, ADMIN),
        # Deactivated and back again: the records this walk made above, which nothing depends on.
        *[
            ("POST", f"/api/v1/{kinds}/{code}/{verb}", None, ADMIN)
            for kinds, code in (
                ("programmes", f"NEW-{n}"),
                ("organisations", f"NEWORG-{n}"),
                ("locations", f"NEWLOC-{n}"),
                ("kit-templates", f"T-{n}"),
            )
            for verb in ("deactivate", "reactivate")
        ],
        ("GET", "/api/v1/users", None, ADMIN),
        ("POST", "/api/v1/users", {"email": f"new-{n}@test.example", "role": "advocate"}, ADMIN),
        (
            "POST",
            "/api/v1/assets",
            {"type": "chair", "make": "M", "model": "C", "serial": f"NEW-1-{n}", "location": "HUB-A"},
            STOCK,
        ),
        ("POST", "/api/v1/assets/import", f"type,make,model,serial,location\nchair,M,C,NEW-2-{n},HUB-A\n", STOCK),
        ("GET", "/api/v1/assets", None, ALL),
        ("GET", f"/api/v1/assets/{t['chair']}", None, ALL),
        ("GET", f"/api/v1/assets/{t['chair']}/history", None, STAFF),
        ("PATCH", f"/api/v1/assets/{t['chair']}", {"condition": "B"}, STOCK),
        ("POST", f"/api/v1/assets/{t['chair']}/move", {"location": "HUB-A"}, STOCK),
        ("POST", f"/api/v1/assets/{t['desk']}/quarantine", {}, STOCK),
        ("POST", f"/api/v1/assets/{t['quarantined']}/restock", {}, STOCK),
        ("POST", f"/api/v1/assets/{t['quarantined2']}/repair", {}, STOCK),
        ("POST", f"/api/v1/assets/{t['spare']}/retire", {"reason": "lost"}, STOCK),
        ("GET", "/api/v1/scan", {"code": t["chair"]}, ALL),
        ("POST", "/api/v1/kits", {"items": [t["kit_a"], t["kit_b"]]}, STOCK),
        ("GET", f"/api/v1/kits/{t['kit']}", None, ALL),
        ("POST", f"/api/v1/kits/{t['kit']}/move", {"location": "HUB-A"}, STOCK),
        ("GET", f"/api/v1/kits/{t['kit']}/history", None, STAFF),
        ("DELETE", f"/api/v1/kits/{t['kit']}", None, STOCK),
        ("GET", "/api/v1/stock", None, ALL),
        ("GET", "/api/v1/stocktakes", None, COUNTING),
        ("POST", "/api/v1/stocktakes", {"location": "HUB-A2"}, COUNTING),
        ("GET", f"/api/v1/stocktakes/{t['stocktake']}", None, COUNTING),
        ("POST", f"/api/v1/stocktakes/{t['stocktake']}/scans", {"codes": [t["chair"]]}, COUNTING),
        ("GET", f"/api/v1/stocktakes/{t['stocktake']}/report", None, COUNTING),
        ("POST", f"/api/v1/stocktakes/{t['stocktake']}/close", {"missing": "leave", "unexpected": "leave"}, COUNTING),
        (
            "POST",
            "/api/v1/participants",
            {
                "reference": f"R-{n}",
                "name": "N",
                "area": "Halton",
                "referral_source": "other",
                "programme": "DII",
                "advocate": "advocate@test.example",
            },
            CASEWORK,
        ),
        ("GET", "/api/v1/participants", None, CASEWORK),
        ("GET", f"/api/v1/participants/{t['participant']}", None, CASEWORK),
        ("PATCH", f"/api/v1/participants/{t['participant']}", {"enrolled_on": "2026-11-01"}, CASEWORK),
        ("POST", f"/api/v1/participants/{t['participant']}/reassign", {"advocate": "advocate@test.example"}, ADMIN),
        ("GET", f"/api/v1/participants/{t['participant']}/export", None, ADMIN),
        (
            "POST",
            "/api/v1/loans",
            {"participant": t["participant"], "items": [t["sim"]], "agreement_accepted": True},
            CASEWORK,
        ),
        ("GET", f"/api/v1/loans/{t['loan']}", None, CASEWORK),
        ("GET", f"/api/v1/loans/{t['loan']}/handover", None, CASEWORK),
        ("POST", f"/api/v1/loans/{t['loan']}/return", {"location": "HUB-A", "items": [t["lent_a"]]}, RETURNS),
        ("POST", f"/api/v1/assets/{t['lent_b']}/return", {"location": "HUB-A"}, RETURNS_AT_HUBS),
        (
            "POST",
            f"/api/v1/loans/{t['loan']}/swap",
            {"out": t["lent_c"], "in": t["swap_in"], "location": "HUB-A", "reason": "broken leg"},
            CASEWORK,
        ),
        ("POST", f"/api/v1/loans/{t['loan']}/lost", {"items": [t["lent_d"]], "reason": "lost"}, CASEWORK),
        ("GET", "/api/v1/loans/overdue", None, CASEWORK),
        ("GET", "/api/v1/sims-to-bar", None, STOCK),
        ("POST", f"/api/v1/assets/{t['lost_sim']}/barred", None, STOCK),
        (
            "POST",
            "/api/v1/assessments",
            {"participant": t["participant"], "score": 1, "max_score": 20, "taken_on": "2026-11-01", "venue": "online"},
            CASEWORK,
        ),
        ("GET", f"/api/v1/transfers/{t['transfer']}/certificate", None, CASEWORK),
        ("GET", "/api/v1/data-plans", None, CASEWORK),
        ("POST", f"/api/v1/data-plans/{t['plan']}/extend", {"months": 1}, CASEWORK),
        ("GET", "/api/v1/reports/outcomes", None, ADMIN),
        ("GET", "/api/v1/notifications", None, CASEWORK),
        ("GET", "/api/v1/access-log", None, ADMIN),
        ("GET", "/api/v1/reference-changes", None, ADMIN),
        ("POST", "/api/v1/labels/sheet", {"tags": [t["chair"]]}, STOCK),
        ("GET", f"/api/v1/labels/{t['chair']}.png", None, HUB_STOCK),
        ("POST", "/api/v1/stock-requests", {"location": "HUB-A", "lines": [{"type": "chair", "count": 1}]}, REQUESTERS),
        ("GET", "/api/v1/stock-requests", None, HUB_STOCK),
        ("GET", f"/api/v1/stock-requests/{t['request']}", None, HUB_STOCK),
        ("POST", f"/api/v1/stock-requests/{t['request']}/approve", {}, ADMIN),
        ("POST", f"/api/v1/stock-requests/{t['request2']}/decline", {"reason": "none spare"}, ADMIN),
        ("POST", "/api/v1/consignments", {"to": "HUB-A", "from": "WH-MAIN"}, STOCK),
        ("GET", "/api/v1/consignments", None, HUB_STOCK),
        ("GET", f"/api/v1/consignments/{t['box']}", None, HUB_STOCK),
        ("POST", f"/api/v1/consignments/{t['box']}/items", {"items": [t["packable"]]}, STOCK),
        ("DELETE", f"/api/v1/consignments/{t['box']}/items/{t['packable']}", None, STOCK),
        ("POST", f"/api/v1/consignments/{t['packed_box']}/dispatch", {}, STOCK),
        ("POST", f"/api/v1/consignments/{t['sent_box']}/receive", {"items": [t["travelling"]]}, HUB_STOCK),
        ("POST", f"/api/v1/consignments/{t['lost_box']}/close", {"short": "missing"}, HUB_STOCK),
        ("GET", f"/api/v1/consignments/{t['box']}/packing-list", None, HUB_STOCK),
        ("POST", f"/api/v1/participants/{t['participant']}/erase", None, ADMIN),
        ("POST", f"/api/v1/users/{t['colleague']}/unlock", None, ADMIN),
        ("POST", f"/api/v1/users/{t['colleague']}/remove-second-factor", None, ADMIN),
        ("POST", f"/api/v1/users/{t['colleague']}/reset-password", None, ADMIN),
        ("POST", f"/api/v1/users/{t['colleague']}/deactivate", None, ADMIN),
        ("POST", f"/api/v1/users/{t['colleague']}/reactivate", None, ADMIN),
        (
            "POST",
            "/api/v1/auth/password",
            {"current_password": "correct horse battery", "new_password": "a rather different passphrase"},
            ALL,
        ),
        ("POST", "/api/v1/auth/mfa", None, ALL),
        ("DELETE", "/api/v1/auth/tokens/current", None, ALL),
    ]


@pytest.fixture
def things(client, world, make_asset, make_participant, issue):
    """Everything the matrix acts on, at the partner's own hub so partners may see it."""
    names = ["chair", "desk", "quarantined", "quarantined2", "spare", "kit_a", "kit_b", "kit_c", "kit_d"]
    made = {n: make_asset("desk" if n == "desk" else "chair", location="HUB-A").tag for n in names}
    person = make_participant()
    made["participant"] = person.id
    made["sim"] = make_asset("sim", location="HUB-A").tag
    made["lent_a"], made["lent_b"] = make_asset("chair").tag, make_asset("desk").tag
    lent_sim = make_asset("sim").tag
    made["lent_c"], made["lent_d"], made["lost_sim"] = (
        make_asset("chair").tag,
        make_asset("chair").tag,
        make_asset("sim").tag,
    )
    made["swap_in"] = make_asset("chair", location="HUB-A").tag
    loan = issue(person, made["lent_a"], made["lent_b"], lent_sim, made["lent_c"], made["lent_d"], made["lost_sim"])
    made["loan"], made["plan"] = loan["id"], loan["data_plans"][0]["id"]
    client.post(
        f"/api/v1/loans/{loan['id']}/lost",
        json={"items": [made["lost_sim"]], "reason": "stolen"},
        headers=world.headers["advocate"],
    )
    owner = make_participant()
    issue(owner, make_asset("chair").tag)
    from inventory.services import assessments
    from tests.conftest import TODAY

    _, transfer = assessments.record(
        participant_id=owner.id,
        score=20,
        max_score=20,
        taken_on=TODAY,
        venue="home",
        actor=world.people["advocate"].user,
        today=TODAY,
    )
    made["transfer"] = transfer.id
    from inventory.extensions import unit_of_work
    from inventory.services import reference, users

    with unit_of_work():
        made["colleague"] = users.create_user("colleague@test.example", "warehouse")[0].id
    for n in ("quarantined", "quarantined2"):
        client.post(f"/api/v1/assets/{made[n]}/quarantine", json={}, headers=world.headers["admin"])
    with unit_of_work():
        reference.create_location(
            code="HUB-A2", name="North End annexe", kind="hub", area="Liverpool", organisation="PARTNER-A"
        )
    made["stocktake"] = client.post(
        "/api/v1/stocktakes", json={"location": "HUB-A"}, headers=world.headers["admin"]
    ).json["id"]
    made["kit"] = client.post(
        "/api/v1/kits", json={"items": [made["kit_c"], made["kit_d"]]}, headers=world.headers["admin"]
    ).json["tag"]
    _hub_logistics(made, client, world, make_asset)
    return made


def _hub_logistics(made, client, world, make_asset):
    """Requests from the partner's hub, and consignments to it from the warehouse at each stage."""
    partner, admin = world.headers["partner"], world.headers["admin"]
    for name in ("request", "request2"):
        made[name] = client.post(
            "/api/v1/stock-requests",
            json={"location": "HUB-A", "lines": [{"type": "desk", "count": 1}]},
            headers=partner,
        ).json["id"]
    made["packable"] = make_asset("desk").tag

    def box(*stages):
        tag = client.post("/api/v1/consignments", json={"to": "HUB-A", "from": "WH-MAIN"}, headers=admin).json["tag"]
        item = make_asset("desk").tag
        if "pack" in stages:
            client.post(f"/api/v1/consignments/{tag}/items", json={"items": [item]}, headers=admin)
        if "dispatch" in stages:
            client.post(f"/api/v1/consignments/{tag}/dispatch", json={}, headers=admin)
        return tag, item

    made["box"], _ = box()
    made["packed_box"], _ = box("pack")
    made["sent_box"], made["travelling"] = box("pack", "dispatch")
    made["lost_box"], _ = box("pack", "dispatch")


def _call(client, method, path, body, headers):
    if method == "GET":
        return client.get(path, query_string=body or {}, headers=headers)
    if isinstance(body, str):
        return client.open(path, method=method, data=body, content_type="text/csv", headers=headers)
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("role", sorted(ALL))
def test_every_endpoint_allows_exactly_the_roles_of_the_design(client, world, things, role):
    for method, path, body, allowed in matrix(things, role):
        r = _call(client, method, path, body, world.headers[role])
        if role in allowed:
            assert r.status_code < 400, (role, method, path, r.status_code, r.json)
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)
            assert r.json["message"] == f"A {role} user may not do this"


def test_no_token_is_401_everywhere(client, world, things):
    for method, path, body, _ in matrix(things):
        r = _call(client, method, path, body, {})
        assert r.status_code == 401, (method, path)


def test_every_api_route_is_in_the_matrix(app, world, things):
    covered = {(m, _pattern(p)) for m, p, _, _ in matrix(things)}
    public = {
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/auth/tokens"),
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/docs"),
        # Every role may, with the code of the secret it was just given: tests/api/test_second_factor.py.
        ("POST", "/api/v1/auth/mfa/confirm"),
        # GOV.UK Notify's own token, not a user's: tests/api/test_delivery_receipts.py.
        ("POST", "/api/v1/notify/callback"),
        # Every role, for its own jobs only (admins: everyone's): tests/api/test_background_jobs.py.
        ("GET", "/api/v1/jobs/<id:job_id>"),
        ("GET", "/api/v1/jobs/<id:job_id>/download"),
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            key = (method, rule.rule)
            assert key in covered or key in public, f"{key} is not in the role matrix"


def _pattern(path: str) -> str:
    if path.startswith("/api/v1/labels/") and path.endswith(".png"):
        return "/api/v1/labels/<tag>.<any(png, svg, zpl, pdf):fmt>"
    if "/items/" in path:
        return "/api/v1/consignments/<tag>/items/<item>"
    parts = path.split("/")
    out = []
    for i, part in enumerate(parts):
        if tags.looks_like_tag(part) and tags.is_valid(part):
            out.append("<tag>")
        elif part.isdigit():
            out.append(
                {
                    "participants": "<id:participant_id>",
                    "loans": "<id:loan_id>",
                    "transfers": "<id:transfer_id>",
                    "data-plans": "<id:plan_id>",
                    "users": "<id:user_id>",
                    "stock-requests": "<id:request_id>",
                    "stocktakes": "<id:stocktake_id>",
                }[parts[i - 1]]
            )
        elif i == 4 and parts[3] in ("programmes", "organisations", "locations", "kit-templates"):
            out.append("<code>")
        else:
            out.append(part)
    return "/".join(out)
