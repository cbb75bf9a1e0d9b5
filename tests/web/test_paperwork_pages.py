"""The paperwork on the pages: the agreement's text and the signature on the issue page, the handover
download, the admin page for agreement texts, and the public page a certificate's QR code opens."""

from __future__ import annotations

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Loan, Programme, SignatureMethod
from inventory.services import agreements, assessments
from tests.api.test_paperwork_api import DRAWN
from tests.conftest import TODAY
from tests.pdfs import structure, text


def _issue_form(token, tag, **fields):
    return {"csrf_token": token, "items": tag, "agreement": "yes", "issued_on": TODAY.isoformat(), **fields}


def _loan_of(person):
    db.session.expire_all()
    return db.session.scalar(sa.select(Loan).where(Loan.participant_id == person.id))


def test_the_issue_page_shows_the_current_agreement_and_keeps_a_drawn_signature(
    as_role, world, make_asset, make_participant
):
    with unit_of_work():
        agreements.add_version(world.dii, "Version two:\nlook after the tablet.", world.admin, TODAY)
    client, token = as_role("advocate")
    person, tablet = make_participant(), make_asset()
    page = client.get(f"/participants/{person.id}/issue").get_data(as_text=True)
    assert "Loan agreement (version 2)" in page
    assert "look after the tablet." in page
    assert 'name="agreement_version" value="2"' in page
    assert 'name="signature_svg"' in page and 'name="signature_method"' in page  # the offline queue relies on them

    done = client.post(
        f"/participants/{person.id}/issue",
        data=_issue_form(token, tablet.tag, agreement_version="2", signature_method="drawn", signature_svg=DRAWN),
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    loan = _loan_of(person)
    assert loan.agreement.version == 2
    assert loan.signature.method == SignatureMethod.DRAWN and "<polyline" in loan.signature.svg


def test_a_page_opened_before_a_new_version_asks_again(as_role, world, make_asset, make_participant):
    client, token = as_role("advocate")
    person, tablet = make_participant(), make_asset()
    client.get(f"/participants/{person.id}/issue")
    with unit_of_work():
        agreements.add_version(world.dii, "Changed while the page was open.", world.admin, TODAY)
    refused = client.post(
        f"/participants/{person.id}/issue", data=_issue_form(token, tablet.tag, agreement_version="1")
    )
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "version 2 is current" in page and "Changed while the page was open." in page  # the new text is shown
    assert _loan_of(person) is None


def test_a_programme_that_needs_a_signature_refuses_a_blank_pad_and_takes_a_verbal_one(
    as_role, world, make_asset, make_participant
):
    with unit_of_work():
        db.session.get(Programme, world.dii.id).signature_required = True
    client, token = as_role("advocate")
    person, tablet = make_participant(), make_asset()
    blank = client.post(
        f"/participants/{person.id}/issue", data=_issue_form(token, tablet.tag, signature_method="drawn")
    )
    assert blank.status_code == 422
    assert "needs the participant&#39;s signature" in blank.get_data(as_text=True)
    assert _loan_of(person) is None
    no_note = client.post(
        f"/participants/{person.id}/issue", data=_issue_form(token, tablet.tag, signature_method="verbal")
    )
    assert no_note.status_code == 422 and "read aloud and agreed" in no_note.get_data(as_text=True)
    verbal = client.post(
        f"/participants/{person.id}/issue",
        data=_issue_form(token, tablet.tag, signature_method="verbal", signature_note="Read aloud; agreed."),
    )
    assert verbal.status_code == 200
    assert _loan_of(person).signature.note == "Read aloud; agreed."


def test_the_advocate_downloads_the_handover_from_the_participants_page(as_role, make_asset, make_participant, issue):
    person, tablet = make_participant(), make_asset()
    receipt = issue(person, tablet.tag, signature={"method": "drawn", "svg": DRAWN})
    client, _ = as_role("advocate")
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    link = f"/participants/{person.id}/loans/{receipt['id']}/handover"
    assert link in page and "Agreement version 1, signed on the screen." in page
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    assert tablet.serial in text(pdf.data)
    assert "The participant's signature, drawn on the screen" in structure(pdf.data)["figures"]


def test_admins_add_a_version_on_the_agreements_page(as_role, world):
    client, token = as_role("admin")
    page = client.get("/admin/programmes/DII/agreements").get_data(as_text=True)
    assert "Version 1 (current)" in page
    saved = client.post("/admin/programmes/DII/agreements", data={"csrf_token": token, "text": "Line one\r\nLine two"})
    assert saved.status_code == 302
    [current, _] = agreements.versions(world.dii)
    assert current.version == 2 and current.text == "Line one\nLine two"
    empty = client.post("/admin/programmes/DII/agreements", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 422 and "Write the agreement" in empty.get_data(as_text=True)


def test_advocates_cannot_change_agreements(as_role):
    client, token = as_role("advocate")
    assert client.post("/admin/programmes/DII/agreements", data={"csrf_token": token, "text": "x"}).status_code == 403


def test_anyone_can_check_a_certificate_and_learns_nothing_personal(client, world, make_asset, make_participant, issue):
    person, tablet = make_participant(), make_asset()
    issue(person, tablet.tag)
    with unit_of_work():
        _, transfer = assessments.record(
            participant_id=person.id,
            score=20,
            max_score=20,
            taken_on=TODAY,
            venue="classroom",
            actor=world.people["advocate"].user,
            today=TODAY,
        )
    page = client.get(f"/verify/{transfer.verify_code}")  # signed out
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "This is a genuine certificate" in body
    assert "Digital Inclusion Initiative" in body and tablet.serial in body and "Tablet" in body
    for personal in (person.name, person.reference, person.email, person.phone):
        assert personal not in body
    unknown = client.get("/verify/ABCDEFGHJKMNPQRS")
    assert unknown.status_code == 404 and "Not a certificate we issued" in unknown.get_data(as_text=True)
    assert client.get("/verify/%3Cscript%3E").status_code == 404


def test_a_return_on_the_participants_page_keeps_their_signature_on_the_handover_record(
    as_role, world, make_asset, make_participant, issue
):
    person, tablet = make_participant(), make_asset()
    receipt = issue(person, tablet.tag)
    client, token = as_role("advocate")
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    assert f'data-signature-pad="ret-{receipt["id"]}-signature-svg"' in page  # the return form has its own pad
    done = client.post(
        f"/participants/{person.id}/loans/{receipt['id']}/return",
        data={
            "csrf_token": token,
            "location": "WH-MAIN",
            "signature_method": "verbal",
            "signature_note": "Read aloud at the door; their hands were full.",
        },
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    item = _loan_of(person).items[0]
    assert item.returned_on is not None
    assert item.return_signature.method == SignatureMethod.VERBAL
    pdf = client.get(f"/participants/{person.id}/loans/{receipt['id']}/handover")
    assert "verbal: Read aloud at the door; their hands were full." in " ".join(text(pdf.data).split())


def test_an_assessment_on_the_participants_page_puts_their_signature_on_the_certificate(
    as_role, world, make_asset, make_participant, issue
):
    person, tablet = make_participant(), make_asset()
    issue(person, tablet.tag)
    client, token = as_role("advocate")
    done = client.post(
        f"/participants/{person.id}/assessments",
        data={
            "csrf_token": token,
            "score": "20",
            "max_score": "20",
            "taken_on": TODAY.isoformat(),
            "venue": "online",
            "signature_method": "drawn",
            "signature_svg": DRAWN,
        },
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    link = next(line for line in page.splitlines() if "/certificates/" in line)
    href = link.split('href="')[1].split('"')[0]
    pdf = client.get(href)
    assert pdf.status_code == 200
    assert "The participant's signature, drawn on the screen" in structure(pdf.data)["figures"]


def test_a_signature_that_is_not_a_drawing_is_refused_beside_the_pad_and_nothing_is_returned(
    as_role, make_asset, make_participant, issue
):
    person, tablet = make_participant(), make_asset()
    receipt = issue(person, tablet.tag)
    client, token = as_role("advocate")
    refused = client.post(
        f"/participants/{person.id}/loans/{receipt['id']}/return",
        data={
            "csrf_token": token,
            "location": "WH-MAIN",
            "signature_method": "drawn",
            "signature_svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        },
    )
    assert refused.status_code == 422
    assert _loan_of(person).items[0].returned_on is None
