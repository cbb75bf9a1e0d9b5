"""Issue 16, point 4: what already asks first or is logged, checked rather than rebuilt — taking a kit
apart asks before it happens, and a participant's details (contact, consent, area, enrolment date) change
from their page with an access-log row naming what changed and no personal data."""

from __future__ import annotations

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import AccessAction, AccessLogEntry, Area, AssetStatus, Kit, KitStatus, Participant
from inventory.services import kits


def test_taking_a_kit_apart_asks_first_and_nothing_happens_until_yes(as_role, world, make_asset):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET")
    client, token = as_role("warehouse")
    asked = client.post(f"/a/{kit.tag}/kit/dismantle", data={"csrf_token": token, "note": "SIM faulty"})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "This cannot be undone" in text and "Yes, take it apart" in text
    assert 'name="note" value="SIM faulty"' in text  # what was typed goes with the yes
    db.session.expire_all()
    assert db.session.scalar(sa.select(Kit.status).where(Kit.tag == kit.tag)) == KitStatus.ASSEMBLED
    done = client.post(
        f"/a/{kit.tag}/kit/dismantle", data={"csrf_token": token, "note": "SIM faulty", "confirmed": "yes"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    taken = db.session.scalar(sa.select(Kit).where(Kit.tag == kit.tag))
    assert taken.status == KitStatus.DISMANTLED and taken.items == []
    assert {a.status for a in (db.session.merge(tablet), db.session.merge(sim))} == {AssetStatus.IN_STOCK}


def test_an_advocate_changes_contact_consent_and_area_and_the_access_log_names_the_fields(as_role, make_participant):
    person = make_participant(name="Cara Contact", phone="07700 900111", area="Knowsley")
    client, token = as_role("advocate")
    form = client.get(f"/participants/{person.id}/edit").get_data(as_text=True)
    assert 'value="Cara Contact"' in form and "900111" in form
    saved = client.post(
        f"/participants/{person.id}/edit",
        data={
            "csrf_token": token,
            "name": "Cara Contact",
            "phone": "07700 900222",
            "email": "",
            "area": "Wirral",
            "referral_source": "jobcentre_plus",
            "enrolled_on-day": "3",
            "enrolled_on-month": "11",
            "enrolled_on-year": "2026",
            # contact_consent unticked: consent withdrawn
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Participant, person.id)
    assert (stored.phone, stored.email, stored.area, stored.contact_consent, stored.enrolled_on.isoformat()) == (
        "+447700900222",
        None,
        Area.WIRRAL,
        False,
        "2026-11-03",
    )
    entry = db.session.scalar(
        sa.select(AccessLogEntry)
        .where(AccessLogEntry.action == AccessAction.CHANGED)
        .order_by(AccessLogEntry.id.desc())
    )
    assert entry is not None and "area" in entry.what and "contact_consent" in entry.what
    assert "Cara" not in entry.what and "900222" not in entry.what  # names the fields, not the data
    # A bad phone number is refused beside its field, and nothing changes.
    bad = client.post(
        f"/participants/{person.id}/edit",
        data={"csrf_token": token, "name": "Cara Contact", "phone": "12", "area": "Halton", "referral_source": "other"},
    )
    assert bad.status_code == 422 and 'href="#f-phone"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Participant, person.id).area == Area.WIRRAL
