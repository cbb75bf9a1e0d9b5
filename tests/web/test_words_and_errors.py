"""The words pages use and the errors they show (issue 16, points 2 and 8): every bad tag named at once, a
repeat issue said plainly, schema messages as sentences that say what to do, what was typed kept, batch rows
that link to their item, and an add-user form with no role chosen for the admin."""

from __future__ import annotations

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Loan, User
from inventory.services import lifecycle
from inventory.web import words


def _issue(client, token, person, items, agreement=True):
    data = {"csrf_token": token, "items": items}
    if agreement:
        data["agreement"] = "yes"
    return client.post(f"/participants/{person.id}/issue", data=data)


def test_every_tag_that_cannot_be_issued_is_named_at_once(as_role, make_asset, make_participant, issue):
    client, token = as_role("advocate")
    person, other = make_participant(), make_participant()
    lent, quarantined, fine = make_asset("tablet"), make_asset("sim"), make_asset("chair")
    issue(other, lent.tag)
    with unit_of_work():
        lifecycle.quarantine(quarantined.tag, None)
    refused = _issue(client, token, person, f"{lent.tag}\n{quarantined.tag}\n{fine.tag}")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "2 of 3 items cannot be issued; nothing was issued" in html
    summary = html.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert f"{lent.tag}: " in summary and f"{quarantined.tag}: " in summary and fine.tag not in summary
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan).where(Loan.participant_id == person.id)) == 0
    # What was typed and ticked is still there to correct.
    assert (
        f"{lent.tag}\n{quarantined.tag}\n{fine.tag}</textarea>" in html
        and "checked" in html.split('id="f-agreement"')[1][:80]
    )


def test_mistyped_tags_are_all_named(as_role, make_participant):
    client, token = as_role("advocate")
    html = _issue(client, token, make_participant(), "ZZ\nQQQQQQQQQQQQQQQQ").get_data(as_text=True)
    summary = html.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert "ZZ" in summary and "QQQQQQQQQQQQQQQQ" in summary


def test_a_repeat_issue_says_the_first_one_worked(as_role, make_asset, make_participant, issue):
    client, token = as_role("advocate")
    person, tablet = make_participant(), make_asset("tablet")
    issue(person, tablet.tag)  # on the tests' today, 22 November 2026
    again = _issue(client, token, person, tablet.tag).get_data(as_text=True)
    expected = (
        f"This item ({tablet.tag}) was already issued to this participant on 22 November 2026: nothing more to do"
    )
    assert expected in again
    assert "on_loan" not in again


def test_schema_messages_become_sentences_that_say_what_to_do(as_role, make_participant):
    client, token = as_role("advocate")
    html = _issue(client, token, make_participant(), "", agreement=False).get_data(as_text=True)
    assert "Tick the box to confirm they have read and accepted the loan agreement" in html
    assert "Must be true." not in html and "Missing data for required field." not in html
    assert words.error_sentence("area", "Missing data for required field.") == "Choose the area they live in"
    assert words.error_sentence("score", "Not a valid integer.") == "Score must be a whole number, like 12"


def test_the_words_people_use():
    from datetime import date

    assert words.status("on_loan") == "On loan" and words.status("in_stock") == "In stock"
    assert words.label("imei") == "IMEI" and words.label("iccid") == "ICCID" and words.label("sim") == "SIM number"
    assert words.ukdate(date(2026, 12, 1)) == "1 December 2026" and words.ukdate("2026-06-06") == "6 June 2026"
    assert words.phone("+447700900123") == "07700 900123" and words.phone("01514960000") == "0151 496 0000"


def test_every_status_a_page_shows_has_words_and_a_tag_colour():
    from types import SimpleNamespace

    from inventory.models import AssetStatus, ConsignmentStatus, ItemOutcome, RequestStatus, StocktakeStatus
    from inventory.models.stocktakes import Outcome

    for enum in (AssetStatus, RequestStatus, ConsignmentStatus, ItemOutcome, StocktakeStatus, Outcome):
        for member in enum:
            assert member.value in words.STATUSES, member  # never "part_received" on a page
            assert words.tag_colour(member).startswith("govuk-tag--"), member
    assert words.status("part_received") == "Part received" and words.status("in_transit") == "In transit"
    assert words.place(SimpleNamespace(code="HUB-A", name="North End")) == "North End (HUB-A)"
    assert words.place(None) == "" and words.place("HUB-A") == "HUB-A"


def test_a_look_up_row_in_the_scan_batch_links_to_the_item(as_role, make_asset):
    client, token = as_role("warehouse")
    tablet = make_asset("tablet")
    page = client.post("/scan", data={"csrf_token": token, "mode": "look", "code": tablet.tag, "tags": ""}).get_data(
        as_text=True
    )
    assert f'href="/a/{tablet.tag}">{tablet.tag}</a>' in page.split('id="scans"')[1]


def test_the_add_user_form_makes_the_admin_choose_a_role(as_role):
    client, _ = as_role("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    role_select = page.split('id="f-role"')[1].split("</select>")[0]
    assert 'value=""' in role_select and "selected" not in role_select  # nothing chosen for them
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post("/admin/users", data={"csrf_token": token, "email": "new@test.example"})
    assert refused.status_code == 422 and "Choose the user&#39;s role" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "new@test.example")) is None
