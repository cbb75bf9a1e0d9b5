"""The admin pages that edit a kit template and deactivate programmes, organisations, locations and kit
templates: a confirmation first, refusals that say what to do, and pickers that leave deactivated ones out."""

from __future__ import annotations

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Kit, KitTemplate, Location, Organisation, User
from inventory.services import kits, lifecycle


def stored(model, code):
    db.session.expire_all()
    return db.session.scalar(sa.select(model).where(model.code == code))


def test_deactivating_a_location_asks_first_says_what_it_holds_and_refuses_until_empty(as_role, make_asset):
    tablet = make_asset("tablet", location="HUB-B")
    admin, token = as_role("admin")
    listing = admin.get("/admin").get_data(as_text=True)
    assert 'href="/admin/locations/HUB-B/deactivate"' in listing
    ask = admin.get("/admin/locations/HUB-B/deactivate")
    text = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Deactivate Birkenhead?" in text
    assert "1 item in stock" in text and "cannot be deactivated yet" in text
    assert "history and stock counts stay readable" in text
    refused = admin.post("/admin/locations/HUB-B/deactivate", data={"csrf_token": token})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "There is a problem" in page and "holds 1 item" in page
    assert stored(Location, "HUB-B").active is True
    # Moved out, it goes after the same confirmation.
    with unit_of_work():
        lifecycle.move(tablet.tag, "WH-MAIN", _warehouse())
    done = admin.post("/admin/locations/HUB-B/deactivate", data={"csrf_token": token}, follow_redirects=True)
    assert done.status_code == 200 and "Location HUB-B is deactivated now." in done.get_data(as_text=True)
    assert stored(Location, "HUB-B").active is False
    listing = admin.get("/admin").get_data(as_text=True)
    assert "Deactivated" in listing and 'href="/admin/locations/HUB-B/reactivate"' in listing
    # Left out of the pickers, still readable where history is read.
    assert 'value="HUB-B"' not in admin.get("/scan").get_data(as_text=True)
    assert 'value="HUB-B"' not in admin.get("/stocktakes").get_data(as_text=True)
    assert admin.get("/stock?location=HUB-B").status_code == 200
    back = admin.post("/admin/locations/HUB-B/reactivate", data={"csrf_token": token})
    assert back.status_code == 302 and stored(Location, "HUB-B").active is True


def test_an_organisation_with_active_locations_is_refused_and_then_signs_out_its_partners(as_role, world):
    admin, token = as_role("admin")
    refused = admin.post("/admin/organisations/PARTNER-A/deactivate", data={"csrf_token": token})
    assert refused.status_code == 409 and "HUB-A" in refused.get_data(as_text=True)
    assert stored(Organisation, "PARTNER-A").active is True
    admin.post("/admin/locations/HUB-A/deactivate", data={"csrf_token": token})
    ask = admin.get("/admin/organisations/PARTNER-A/deactivate").get_data(as_text=True)
    assert "partner users are deactivated and signed out with it" in ask
    done = admin.post("/admin/organisations/PARTNER-A/deactivate", data={"csrf_token": token}, follow_redirects=True)
    assert "1 partner user(s) of it are deactivated and signed out." in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.people["partner"].user.id).active is False


def test_others_cannot_deactivate_or_edit_templates(as_role):
    for role in ("warehouse", "advocate", "partner"):
        client, token = as_role(role)
        assert client.get("/admin/locations/BUS-1/deactivate").status_code == 403
        assert client.post("/admin/locations/BUS-1/deactivate", data={"csrf_token": token}).status_code == 403
        assert client.get("/admin/kit-templates/DII-TABLET/edit").status_code == 403
        assert (
            client.post("/admin/kit-templates/DII-TABLET/edit", data={"csrf_token": token, "name": "X"}).status_code
            == 403
        )
    assert stored(Location, "BUS-1").active is True
    assert stored(KitTemplate, "DII-TABLET").name == "Tablet and SIM"


def test_an_admin_edits_a_kit_template_and_built_kits_keep_their_items(as_role, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        built = kits.build_kit([tablet.tag, sim.tag], _warehouse(), template="DII-TABLET")
    admin, token = as_role("admin")
    page = admin.get("/admin/kit-templates/dii-tablet/edit")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="Tablet and SIM"' in text
    assert 'name="count-tablet"' in text and "Kits already built are not changed" in text
    # A bad count is named beside its box, and what was typed stays.
    bad = admin.post(
        "/admin/kit-templates/DII-TABLET/edit",
        data={"csrf_token": token, "name": "Laptop kit", "count-laptop": "25", "count-router": "1"},
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'href="#f-count-laptop"' in text and 'value="Laptop kit"' in text
    assert 'value="25"' in text and 'value="1"' in text
    empty = admin.post("/admin/kit-templates/DII-TABLET/edit", data={"csrf_token": token, "name": "Nothing"})
    assert empty.status_code == 422 and "at least one" in empty.get_data(as_text=True)
    assert stored(KitTemplate, "DII-TABLET").name == "Tablet and SIM"
    done = admin.post(
        "/admin/kit-templates/DII-TABLET/edit",
        data={"csrf_token": token, "name": "Laptop kit", "count-laptop": "1", "count-router": "1", "count-tablet": "0"},
        follow_redirects=True,
    )
    assert "Kit template DII-TABLET is saved. Kits already built are not changed." in done.get_data(as_text=True)
    template = stored(KitTemplate, "DII-TABLET")
    assert template.name == "Laptop kit" and {t.value: n for t, n in template.contents().items()} == {
        "laptop": 1,
        "router": 1,
    }
    kit = db.session.scalar(sa.select(Kit).where(Kit.tag == built.tag))
    assert sorted(a.type.value for a in kit.items) == ["sim", "tablet"]
    # Retired, it is no longer offered at the scan station.
    assert 'value="DII-TABLET"' in admin.get("/scan?mode=kit").get_data(as_text=True)
    admin.post("/admin/kit-templates/DII-TABLET/deactivate", data={"csrf_token": token})
    assert stored(KitTemplate, "DII-TABLET").active is False
    assert 'value="DII-TABLET"' not in admin.get("/scan?mode=kit").get_data(as_text=True)
    assert "Retired" in admin.get("/admin").get_data(as_text=True)


def _warehouse():
    return db.session.scalar(sa.select(User).where(User.email == "warehouse@test.example"))
