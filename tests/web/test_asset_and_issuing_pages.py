"""Acting from the asset page, issuing and assessments from the advocate's pages, and error pages for people."""

from __future__ import annotations

import io

import sqlalchemy as sa
import zxingcpp
from PIL import Image

from inventory.extensions import db
from inventory.models import Asset, AssetStatus, Loan
from tests.conftest import BASE_URL


def stored(tag):
    db.session.expire_all()
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def test_warehouse_quarantines_and_retires_from_the_asset_page(as_role, make_asset):
    client, token = as_role("warehouse")
    tablet = make_asset("tablet")
    done = client.post(
        f"/a/{tablet.tag}/quarantine", data={"csrf_token": token, "location": "HUB-A", "note": "cracked screen"}
    )
    assert done.status_code == 302 and stored(tablet.tag).status == AssetStatus.QUARANTINE
    assert stored(tablet.tag).location.code == "HUB-A"
    no_reason = client.post(f"/a/{tablet.tag}/retire", data={"csrf_token": token})
    assert no_reason.status_code == 422 and stored(tablet.tag).status == AssetStatus.QUARANTINE
    asked = client.post(f"/a/{tablet.tag}/retire", data={"csrf_token": token, "reason": "written_off"})
    assert asked.status_code == 200 and "This cannot be undone" in asked.get_data(as_text=True)
    assert stored(tablet.tag).status == AssetStatus.QUARANTINE  # nothing happens until they say yes
    retired = client.post(
        f"/a/{tablet.tag}/retire", data={"csrf_token": token, "reason": "written_off", "confirmed": "yes"}
    )
    assert retired.status_code == 302 and stored(tablet.tag).status == AssetStatus.RETIRED
    page = client.get(f"/a/{tablet.tag}").get_data(as_text=True)
    assert "cracked screen" in page and "Retire it" not in page  # nothing more to do with it


def test_an_action_the_role_does_not_allow_changes_nothing(as_role, make_asset):
    client, token = as_role("advocate")
    tablet = make_asset("tablet")
    refused = client.post(f"/a/{tablet.tag}/move", data={"csrf_token": token, "location": "HUB-A"})
    assert refused.status_code == 409 and stored(tablet.tag).location.code == "WH-MAIN"


def test_a_replacement_label_decodes_to_the_asset_url(as_role, make_asset):
    client, _ = as_role("warehouse")
    tablet = make_asset("tablet")
    png = client.get(f"/a/{tablet.tag}/label.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))[0].text == f"{BASE_URL.upper()}/A/{tablet.tag}"


def test_a_double_tapped_issue_lends_once(as_role, make_asset, make_participant):
    client, token = as_role("advocate")
    person, tablet = make_participant(), make_asset("tablet")
    form = {"csrf_token": token, "items": tablet.tag, "agreement": "yes", "idempotency_key": "tap-1"}
    first = client.post(f"/participants/{person.id}/issue", data=form)
    second = client.post(f"/participants/{person.id}/issue", data=form)
    assert first.status_code == second.status_code == 200
    assert "Issued to" in second.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan)) == 1


def test_another_advocates_participant_is_not_found(as_role, world, make_participant):
    from inventory.extensions import unit_of_work
    from inventory.services import users

    with unit_of_work():
        other, _ = users.create_user("other.advocate@test.example", "advocate", password="correct horse battery")
    theirs = make_participant(advocate=other, name="Not Yours")
    client, token = as_role("advocate")
    page = client.get(f"/participants/{theirs.id}")
    assert page.status_code == 404 and "Not Yours" not in page.get_data(as_text=True)
    listed = client.post("/participants", data={"csrf_token": token, "search": "Not Yours"}).get_data(as_text=True)
    assert "Nobody matches that search." in listed and f"/participants/{theirs.id}" not in listed


def test_a_search_by_name_is_posted_so_the_name_stays_out_of_the_url(as_role, make_participant):
    client, token = as_role("advocate")
    make_participant(name="Findable Person")
    make_participant(name="Someone Else")
    found = client.post("/participants", data={"csrf_token": token, "search": "findable"}).get_data(as_text=True)
    assert "Findable Person" in found and "Someone Else" not in found
    assert client.get("/participants?search=findable").get_data(as_text=True).count("Someone Else") == 1


def test_people_get_error_pages_and_the_api_gets_json(as_role):
    client, _ = as_role("advocate")
    page = client.get("/participants/424242", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/participants/1", headers={"Accept": "text/html"})
    assert api.mimetype == "application/json" and api.status_code == 401
    expired = client.post("/participants", data={"search": "x"}, headers={"Accept": "text/html"})
    assert expired.status_code == 400 and "This form had expired" in expired.get_data(as_text=True)


def test_reminders_show_plans_ending_soon_and_the_outbox(as_role, make_asset, make_participant, issue):
    from datetime import timedelta

    from inventory.dates import add_months
    from inventory.extensions import unit_of_work
    from inventory.services import reminders
    from tests.conftest import TODAY

    person = make_participant(reference="ENDING-SOON")
    sim = make_asset("sim")
    issue(person, sim.tag, issued_on=add_months(TODAY, -6) + timedelta(days=5))  # DII: 6 months, ends in 5 days
    with unit_of_work():
        reminders.sweep(TODAY)
    client, _ = as_role("advocate")
    page = client.get("/reminders").get_data(as_text=True)
    assert "ENDING-SOON" in page and sim.tag in page
    assert "Waiting to send (2)" in page  # the participant's 7-day reminder and the advocate's digest
    assert "Nothing in the outbox" in client.get("/reminders?status=sent").get_data(as_text=True)


def test_a_nul_byte_in_a_form_is_refused_before_it_reaches_the_database(as_role, make_participant):
    client, token = as_role("advocate")
    make_participant()
    refused = client.post(
        "/participants", data={"csrf_token": token, "search": "a\x00b"}, headers={"Accept": "text/html"}
    )
    assert refused.status_code == 400 and "cannot be stored" in refused.get_data(as_text=True)
    assert client.get("/stock?location=HUB%00A").status_code == 400
    signing_in = {"csrf_token": token, "email": "x\x00@test.example", "password": "p"}
    assert client.post("/sign-in", data=signing_in).status_code == 400


def test_a_search_matches_what_was_typed_literally(as_role, make_participant):
    client, token = as_role("advocate")
    make_participant(reference="DII_001", name="Underscore Person")
    make_participant(reference="DIIX001", name="Other Person")
    found = client.post("/participants", data={"csrf_token": token, "search": "dii_0"}).get_data(as_text=True)
    assert "Underscore Person" in found and "Other Person" not in found  # "_" is not a wildcard
    assert "Nobody matches" in client.post("/participants", data={"csrf_token": token, "search": "%"}).get_data(
        as_text=True
    )


def test_dates_typed_wrongly_are_refused_beside_their_field(as_role, make_asset, make_participant):
    client, token = as_role("advocate")
    person, tablet = make_participant(), make_asset("tablet")
    refused = client.post(
        f"/participants/{person.id}/issue",
        data={"csrf_token": token, "items": tablet.tag, "agreement": "yes", "issued_on": "22/11/2026"},
    )
    assert refused.status_code == 422 and "Enter a real date, with the day, month and year" in refused.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan)) == 0
    admin, _ = as_role("admin")
    report = admin.get("/reports?from=yesterday")
    assert report.status_code == 422 and "&#39;yesterday&#39; is not a date" in report.get_data(as_text=True)


def test_an_advocate_backdates_an_enrolment_and_corrects_it(as_role, make_participant):
    from inventory.models import Participant

    client, token = as_role("advocate")
    person = make_participant()
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    assert "22 November 2026" in page and "Change their details" in page  # a UK date, not 2026-11-22
    future = client.post(
        f"/participants/{person.id}/edit",
        data={
            "csrf_token": token,
            "name": "Person X",
            "area": "Halton",
            "referral_source": "other",
            "enrolled_on": "2026-12-25",
        },
    )
    assert future.status_code == 422 and "before today" in future.get_data(as_text=True)
    saved = client.post(
        f"/participants/{person.id}/edit",
        data={
            "csrf_token": token,
            "name": "Person X",
            "area": "Halton",
            "referral_source": "other",
            # GOV.UK's date input: day, month and year in their own boxes.
            "enrolled_on-day": "1",
            "enrolled_on-month": "4",
            "enrolled_on-year": "2026",
            "phone": "",
            "email": "x@example.org",
            "contact_consent": "yes",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    stored_person = db.session.get(Participant, person.id)
    assert stored_person.enrolled_on.isoformat() == "2026-04-01" and stored_person.name == "Person X"
    assert stored_person.phone is None and stored_person.contact_consent
