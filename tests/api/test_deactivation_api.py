"""Deactivating programmes, organisations, locations and kit templates through the API: what each then
refuses, what carries on, and refusals that leave everything as it was."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Kit, Location, Programme, User


def post(client, world, path, body=None, role="admin"):
    return client.post(path, json=body if body is not None else {}, headers=world.headers[role])


def active(model, code) -> bool:
    db.session.expire_all()
    return db.session.scalar(sa.select(model.active).where(model.code == code))


def test_only_admins_deactivate_and_each_change_writes_an_audit_line(client, world, caplog):
    for role in ("warehouse", "advocate", "partner"):
        r = post(client, world, "/api/v1/locations/BUS-1/deactivate", role=role)
        assert r.status_code == 403
    assert active(Location, "BUS-1") is True
    with caplog.at_level(logging.INFO, logger="inventory.audit"):
        r = post(client, world, "/api/v1/locations/bus-1/deactivate")
    assert r.status_code == 200 and r.json["active"] is False and r.json["code"] == "BUS-1"
    assert any(f"location BUS-1 deactivated by user {world.admin.id}" in rec.getMessage() for rec in caplog.records)
    # Again: nothing more to do, still 200.
    assert post(client, world, "/api/v1/locations/BUS-1/deactivate").json["active"] is False
    assert post(client, world, "/api/v1/locations/NOWHERE/deactivate").status_code == 404
    back = post(client, world, "/api/v1/locations/BUS-1/reactivate")
    assert back.status_code == 200 and back.json["active"] is True


def test_a_location_that_holds_items_is_not_deactivated_and_says_how_many_and_where(client, world, make_asset):
    tablet = make_asset("tablet", location="HUB-B")
    sim = make_asset("sim", location="HUB-B")
    post(client, world, f"/api/v1/assets/{sim.tag}/quarantine", {"note": "cracked tray"}, role="warehouse")
    r = post(client, world, "/api/v1/locations/HUB-B/deactivate")
    assert r.status_code == 409
    assert "holds 2 items" in r.json["message"] and "1 item in stock; 1 item in quarantine" in r.json["message"]
    assert "/stock?location=HUB-B" in r.json["message"]
    assert r.json["errors"]["held"] == {"in_stock": 1, "quarantine": 1}
    assert active(Location, "HUB-B") is True
    # Moved away, it may go.
    for tag in (tablet.tag, sim.tag):
        assert (
            post(client, world, f"/api/v1/assets/{tag}/move", {"location": "WH-MAIN"}, "warehouse").status_code == 200
        )
    assert post(client, world, "/api/v1/locations/HUB-B/deactivate").status_code == 200


def test_a_consignment_on_its_way_keeps_its_destination_open(client, world, make_asset):
    desk = make_asset("desk")
    box = post(client, world, "/api/v1/consignments", {"to": "HUB-B", "from": "WH-MAIN"}).json["tag"]
    post(client, world, f"/api/v1/consignments/{box}/items", {"items": [desk.tag]})
    post(client, world, f"/api/v1/consignments/{box}/dispatch")
    r = post(client, world, "/api/v1/locations/HUB-B/deactivate")
    assert r.status_code == 409 and r.json["errors"]["held"] == {"consignments": 1}
    assert "consignment" in r.json["message"]


def test_a_deactivated_location_receives_nothing_but_its_history_stays_readable(client, world, make_asset, luhn):
    tablet = make_asset("tablet", location="HUB-B")
    post(client, world, f"/api/v1/assets/{tablet.tag}/move", {"location": "WH-MAIN"}, "warehouse")
    assert post(client, world, "/api/v1/locations/HUB-B/deactivate").status_code == 200

    def refused(r):
        return r.status_code in (409, 422) and "deactivated" in r.get_data(as_text=True)

    # Moves, kits, consignments, stocktakes, deliveries and returns to it are all refused, saying why.
    assert refused(post(client, world, f"/api/v1/assets/{tablet.tag}/move", {"location": "HUB-B"}, "warehouse"))
    kit = post(client, world, "/api/v1/kits", {"items": [tablet.tag]}, "warehouse").json["tag"]
    assert refused(post(client, world, f"/api/v1/kits/{kit}/move", {"location": "hub-b"}, "warehouse"))
    assert refused(post(client, world, "/api/v1/consignments", {"to": "HUB-B", "from": "WH-MAIN"}))
    assert refused(post(client, world, "/api/v1/stocktakes", {"location": "HUB-B"}))
    delivered = post(
        client,
        world,
        "/api/v1/assets",
        {"type": "desk", "make": "IKEA", "model": "Linnmon", "serial": "DESK-NEW-1", "location": "HUB-B"},
        "warehouse",
    )
    assert refused(delivered)
    manifest = "type,make,model,serial,location\ndesk,IKEA,Linnmon,DESK-NEW-2,HUB-B\n"
    imported = client.post(
        "/api/v1/assets/import", data=manifest, headers={**world.headers["warehouse"], "Content-Type": "text/csv"}
    )
    assert imported.status_code == 422
    assert [(e["row"], e["column"]) for e in imported.json["errors"]] == [(2, "location")]
    assert "deactivated" in imported.json["errors"][0]["message"]
    chair = make_asset("chair")
    assert refused(post(client, world, f"/api/v1/assets/{chair.tag}/return", {"location": "HUB-B"}, "warehouse"))
    # Nothing arrived there.
    assert client.get(f"/api/v1/assets/{tablet.tag}", headers=world.headers["admin"]).json["location"] == "WH-MAIN"
    # Still listed and readable, with its history.
    listed = {
        loc["code"]: loc["active"] for loc in client.get("/api/v1/locations", headers=world.headers["admin"]).json
    }
    assert listed["HUB-B"] is False and listed["HUB-A"] is True
    assert client.get("/api/v1/locations/HUB-B", headers=world.headers["admin"]).json["active"] is False
    history = client.get(f"/api/v1/assets/{tablet.tag}/history", headers=world.headers["admin"])
    assert history.status_code == 200 and "HUB-B" in history.get_data(as_text=True)
    # Brought back, it receives again.
    post(client, world, "/api/v1/locations/HUB-B/reactivate")
    assert post(client, world, "/api/v1/consignments", {"to": "HUB-B", "from": "WH-MAIN"}).status_code == 201


def test_a_deactivated_programme_takes_nothing_new_but_its_loans_carry_on(
    client, world, make_asset, make_participant, issue
):
    person = make_participant()
    out = make_asset("tablet")
    loan = issue(person, out.tag)
    spare = make_asset("tablet")
    assert post(client, world, "/api/v1/programmes/DII/deactivate").json["active"] is False
    assert active(Programme, "DII") is False
    # No new participant, asset, loan or kit template on it.
    body = {
        "reference": "REF-NEW",
        "name": "New Person",
        "phone": "07700 900111",
        "area": "Knowsley",
        "referral_source": "jobcentre_plus",
        "programme": "DII",
        "contact_consent": True,
    }
    r = post(client, world, "/api/v1/participants", body, "advocate")
    assert r.status_code == 409 and "Programme DII is deactivated" in r.json["message"]
    r = post(
        client,
        world,
        "/api/v1/loans",
        {"participant": person.id, "items": [spare.tag], "agreement_accepted": True},
        "advocate",
    )
    assert r.status_code == 409 and "new loans" in r.json["message"]
    desk = post(
        client,
        world,
        "/api/v1/assets",
        {"type": "desk", "make": "IKEA", "model": "L", "serial": "D-1", "location": "WH-MAIN", "programme": "DII"},
        "warehouse",
    )
    assert desk.status_code == 422 and "deactivated" in desk.get_data(as_text=True)
    r = client.patch(f"/api/v1/assets/{spare.tag}", json={"programme": "DII"}, headers=world.headers["warehouse"])
    assert r.status_code == 200  # unchanged: it was DII already
    other = make_asset("tablet", programme="HIW")
    r = client.patch(f"/api/v1/assets/{other.tag}", json={"programme": "DII"}, headers=world.headers["warehouse"])
    assert r.status_code == 409
    # What it already has carries on: the case file reads, the loan comes back.
    assert client.get(f"/api/v1/participants/{person.id}", headers=world.headers["advocate"]).status_code == 200
    back = post(client, world, f"/api/v1/loans/{loan['id']}/return", {"location": "WH-MAIN"}, "warehouse")
    assert back.status_code == 200
    assert post(client, world, "/api/v1/programmes/DII/reactivate").json["active"] is True
    assert post(client, world, "/api/v1/participants", body, "advocate").status_code == 201


def test_an_organisation_goes_only_after_its_locations_and_takes_its_partner_users_with_it(client, world):
    r = post(client, world, "/api/v1/organisations/PARTNER-A/deactivate")
    assert r.status_code == 409 and "HUB-A" in r.json["message"]
    assert r.json["errors"]["held"] == {"active_locations": ["HUB-A"]}
    partner = world.people["partner"].user
    # Nothing half-done: the partner still works.
    assert client.get("/api/v1/locations", headers=world.headers["partner"]).status_code == 200
    assert post(client, world, "/api/v1/locations/HUB-A/deactivate").status_code == 200
    done = post(client, world, "/api/v1/organisations/PARTNER-A/deactivate")
    assert done.status_code == 200 and done.json["active"] is False
    db.session.expire_all()
    assert db.session.get(User, partner.id).active is False
    assert client.get("/api/v1/locations", headers=world.headers["partner"]).status_code == 401
    # Nothing new joins it, and its location cannot come back before it does.
    r = post(
        client, world, "/api/v1/users", {"email": "new@partner.example", "role": "partner", "organisation": "PARTNER-A"}
    )
    assert r.status_code == 409
    r = post(
        client,
        world,
        "/api/v1/locations",
        {"code": "HUB-A2", "name": "N", "kind": "hub", "area": "Sefton", "organisation": "PARTNER-A"},
    )
    assert r.status_code == 409
    assert post(client, world, "/api/v1/locations/HUB-A/reactivate").status_code == 409
    assert active(Location, "HUB-A") is False
    # Reactivated, the organisation does not bring its users back by itself.
    assert post(client, world, "/api/v1/organisations/PARTNER-A/reactivate").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, partner.id).active is False
    assert post(client, world, "/api/v1/locations/HUB-A/reactivate").status_code == 200


def test_editing_a_kit_template_changes_only_kits_built_afterwards(client, world, make_asset, caplog):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    old = post(client, world, "/api/v1/kits", {"items": [tablet.tag, sim.tag], "template": "DII-TABLET"}, "warehouse")
    assert old.status_code == 201
    with caplog.at_level(logging.INFO, logger="inventory.audit"):
        r = client.patch(
            "/api/v1/kit-templates/dii-tablet",
            json={
                "name": "Tablet, SIM and router",
                "contents": [{"type": "tablet", "count": 1}, {"type": "router", "count": 1}],
            },
            headers=world.headers["admin"],
        )
    assert r.status_code == 200
    assert r.json["name"] == "Tablet, SIM and router"
    assert sorted((line["type"], line["count"]) for line in r.json["contents"]) == [("router", 1), ("tablet", 1)]
    assert any("kit-template DII-TABLET changed" in rec.getMessage() for rec in caplog.records)
    # The kit built before keeps its SIM.
    db.session.expire_all()
    kit = db.session.scalar(sa.select(Kit).where(Kit.tag == old.json["tag"]))
    assert sorted(a.type.value for a in kit.items) == ["sim", "tablet"]
    # New kits follow the new contents.
    t2, s2, router = make_asset("tablet"), make_asset("sim"), make_asset("router")
    r = post(client, world, "/api/v1/kits", {"items": [t2.tag, s2.tag], "template": "DII-TABLET"}, "warehouse")
    assert r.status_code == 422 and "router" in r.json["message"]
    assert (
        post(
            client, world, "/api/v1/kits", {"items": [t2.tag, router.tag], "template": "DII-TABLET"}, "warehouse"
        ).status_code
        == 201
    )
    # Bad edits change nothing.
    for body in (
        {"contents": []},
        {"contents": [{"type": "tablet", "count": 1}, {"type": "tablet", "count": 2}]},
        {"contents": [{"type": "tablet", "count": 21}]},
        {"name": ""},
    ):
        assert (
            client.patch("/api/v1/kit-templates/DII-TABLET", json=body, headers=world.headers["admin"]).status_code
            == 422
        )
    assert (
        client.patch(
            "/api/v1/kit-templates/DII-TABLET", json={"name": "X"}, headers=world.headers["warehouse"]
        ).status_code
        == 403
    )
    assert (
        client.patch("/api/v1/kit-templates/NONE", json={"name": "X"}, headers=world.headers["admin"]).status_code
        == 404
    )
    assert (
        client.get("/api/v1/kit-templates/DII-TABLET", headers=world.headers["admin"]).json["name"]
        == "Tablet, SIM and router"
    )


def test_a_retired_kit_template_builds_no_kit(client, world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    r = post(client, world, "/api/v1/kit-templates/DII-TABLET/deactivate")
    assert r.status_code == 200 and r.json["active"] is False
    built = post(client, world, "/api/v1/kits", {"items": [tablet.tag, sim.tag], "template": "DII-TABLET"}, "warehouse")
    assert built.status_code == 409 and "retired" in built.json["message"]
    asked = post(
        client,
        world,
        "/api/v1/stock-requests",
        {"location": "HUB-A", "lines": [{"template": "DII-TABLET", "count": 1}]},
        "partner",
    )
    assert asked.status_code == 409
    # Its programme deactivated, it cannot be brought back either.
    post(client, world, "/api/v1/programmes/DII/deactivate")
    assert post(client, world, "/api/v1/kit-templates/DII-TABLET/reactivate").status_code == 409
    post(client, world, "/api/v1/programmes/DII/reactivate")
    assert post(client, world, "/api/v1/kit-templates/DII-TABLET/reactivate").status_code == 200
    assert (
        post(
            client, world, "/api/v1/kits", {"items": [tablet.tag, sim.tag], "template": "DII-TABLET"}, "warehouse"
        ).status_code
        == 201
    )
