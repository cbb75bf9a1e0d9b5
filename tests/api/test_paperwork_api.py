"""The loan's paperwork through the API: versioned agreements, signatures, the handover record (a
signed, tagged PDF kept in file storage), and certificates anyone can check."""

from __future__ import annotations

import hashlib

import pytest

from inventory.extensions import unit_of_work
from inventory.services import privacy
from inventory.storage import storage

DRAWN = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 120">'
    '<polyline points="10,100 40,20 70,90 100,30 130,95"/><path d="M150 60 L 200 20 L 260 100"/></svg>'
)


def _loan(client, world, participant, *tags, signature=None, **extra):
    body = {"participant": participant.id, "items": list(tags), "agreement_accepted": True, **extra}
    if signature is not None:
        body["signature"] = signature
    return client.post("/api/v1/loans", json=body, headers=world.headers["advocate"])


def test_an_admin_adds_an_agreement_version_and_the_next_loan_records_it(client, world, make_participant, make_asset):
    text = "You borrow this tablet.\nLook after it.  "
    created = client.post("/api/v1/programmes/dii/agreements", json={"text": text}, headers=world.headers["admin"])
    assert created.status_code == 201, created.json
    assert created.json["version"] == 2  # version 1 came with the programme
    assert created.json["sha256"] == hashlib.sha256(text.encode()).hexdigest()  # of the exact text, spaces and all
    listed = client.get("/api/v1/programmes/DII/agreements", headers=world.headers["advocate"]).json
    assert [a["version"] for a in listed] == [2, 1]
    assert listed[0]["text"] == text

    person = make_participant()
    loan = _loan(client, world, person, make_asset().tag)
    assert loan.status_code == 201, loan.json
    assert loan.json["agreement"] == {"version": 2, "sha256": created.json["sha256"]}


def test_only_admins_write_agreements(client, world):
    refused = client.post("/api/v1/programmes/DII/agreements", json={"text": "x"}, headers=world.headers["advocate"])
    assert refused.status_code == 403
    assert (
        client.post(
            "/api/v1/programmes/NOPE/agreements", json={"text": "x"}, headers=world.headers["admin"]
        ).status_code
        == 404
    )


def test_a_participant_shown_an_old_version_is_asked_again(client, world, make_participant, make_asset):
    client.post("/api/v1/programmes/DII/agreements", json={"text": "New terms"}, headers=world.headers["admin"])
    person, tablet = make_participant(), make_asset()
    stale = _loan(client, world, person, tablet.tag, agreement_version=1)
    assert stale.status_code == 409
    assert "version 2 is current" in stale.json["message"]
    assert _loan(client, world, person, tablet.tag, agreement_version=2).status_code == 201


def test_a_programme_that_requires_a_signature_refuses_a_loan_without_one(client, world, make_participant, make_asset):
    world.dii.signature_required = True
    with unit_of_work():
        from inventory.extensions import db

        db.session.merge(world.dii)
    person, tablet = make_participant(), make_asset()
    refused = _loan(client, world, person, tablet.tag)
    assert refused.status_code == 422
    assert "needs the participant's signature" in refused.json["message"]
    assert tablet.tag not in str(
        client.get(f"/api/v1/participants/{person.id}", headers=world.headers["advocate"]).json
    )
    verbal = _loan(
        client, world, person, tablet.tag, signature={"method": "verbal", "note": "Read aloud; cannot hold a pen"}
    )
    assert verbal.status_code == 201, verbal.json
    assert verbal.json["signature"] == "verbal"


@pytest.mark.parametrize(
    "signature, where",
    [
        ({"method": "drawn", "svg": '<svg viewBox="0 0 10 10"><script>alert(1)</script></svg>'}, "svg"),
        ({"method": "drawn", "svg": '<svg viewBox="0 0 10 10" onload="x()"><path d="M1 1 L2 2"/></svg>'}, "svg"),
        ({"method": "drawn", "svg": '<svg viewBox="0 0 10 10"><image href="http://evil.example/x.png"/></svg>'}, "svg"),
        ({"method": "drawn", "svg": '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg viewBox="0 0 1 1">&a;</svg>'}, "svg"),
        ({"method": "drawn", "svg": '<svg viewBox="0 0 10 10"><path d="M1 1 L2 2" style="fill:url(x)"/></svg>'}, "svg"),
        ({"method": "drawn", "svg": '<svg viewBox="0 0 10 10"></svg>'}, "svg"),
        ({"method": "verbal", "note": "  "}, "note"),
    ],
)
def test_a_signature_we_cannot_keep_is_refused_with_nothing_issued(
    client, world, make_participant, make_asset, signature, where
):
    person, tablet = make_participant(), make_asset()
    refused = _loan(client, world, person, tablet.tag, signature=signature)
    assert refused.status_code == 422, refused.json
    assert where in refused.json["errors"]["signature"]
    assert client.get(f"/api/v1/assets/{tablet.tag}", headers=world.headers["warehouse"]).json["status"] == "in_stock"


def test_the_handover_record_is_a_signed_tagged_pdf_with_everything_handed_over(
    client, world, make_participant, make_asset
):
    from tests.pdfs import assert_signed_by_us, structure, text

    person = make_participant()
    tablet, sim = make_asset("tablet"), make_asset("sim")
    loan = _loan(client, world, person, tablet.tag, sim.tag, signature={"method": "drawn", "svg": DRAWN}).json
    got = client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["advocate"])
    assert got.status_code == 200
    assert got.mimetype == "application/pdf"
    assert got.headers["Cache-Control"] == "no-store"
    pdf = got.data
    assert_signed_by_us(pdf)
    tags = structure(pdf)
    assert tags["marked"] and tags["lang"] == "en-GB"
    assert tags["title"] == f"Handover record, loan {loan['id']}"
    assert "The participant's signature, drawn on the screen" in tags["figures"]
    words = text(pdf)
    for expected in (
        "Digital Inclusion Initiative",
        tablet.serial,
        sim.iccid,
        "Samsung",
        "Galaxy Tab A9",
        "Tablet",
        "Sim",
        "version 1",
        loan["agreement"]["sha256"][:20],
        person.name,
        "advocate@test.example",
    ):
        assert expected in words, expected
    assert "The equipment listed is lent to you by Digital Inclusion Initiative" in words  # the agreement's text
    # Kept in file storage, and the same file served again.
    assert client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["admin"]).data == pdf


def test_a_verbal_signature_shows_the_advocates_note(client, world, make_participant, make_asset):
    from tests.pdfs import text

    person = make_participant()
    loan = _loan(
        client, world, person, make_asset().tag, signature={"method": "verbal", "note": "Read aloud, agreed; arthritis"}
    ).json
    pdf = client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["advocate"]).data
    assert "Read aloud, agreed; arthritis" in text(pdf)


def test_only_the_participants_advocate_and_admins_download_the_handover(client, world, make_participant, make_asset):
    from inventory.services import users

    with unit_of_work():
        other, _ = users.create_user("other@test.example", "advocate", password="correct horse battery")
        other_token = users.create_token(other)
    loan = _loan(client, world, make_participant(), make_asset().tag).json
    url = f"/api/v1/loans/{loan['id']}/handover"
    assert client.get(url, headers={"Authorization": f"Bearer {other_token}"}).status_code == 404
    assert client.get(url, headers=world.headers["partner"]).status_code == 403
    assert client.get(url, headers=world.headers["warehouse"]).status_code == 403
    assert client.get(url).status_code == 401


def test_erasure_removes_the_kept_handover_and_the_signature(client, world, make_participant, make_asset):
    from inventory.extensions import db
    from inventory.models import Loan, Signature
    from inventory.services import handovers
    from tests.pdfs import structure, text

    person = make_participant()
    name = person.name
    loan = _loan(client, world, person, make_asset().tag, signature={"method": "drawn", "svg": DRAWN}).json
    assert name in text(client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["advocate"]).data)
    stored = db.session.get(Loan, loan["id"])
    assert storage().get(handovers.key(stored)) is not None
    exported = client.get(f"/api/v1/participants/{person.id}/export", headers=world.headers["admin"]).json
    assert {
        "kind": "handover_record",
        "loan": loan["id"],
        "transfer": None,
        "href": f"/api/v1/loans/{loan['id']}/handover",
    } in exported["documents"]

    with unit_of_work():
        privacy.erase(person.id, world.admin)
    assert storage().get(handovers.key(stored)) is None
    db.session.expire_all()
    signature = db.session.get(Signature, db.session.get(Loan, loan["id"]).signature_id)
    assert signature.erased and signature.svg is None
    again = client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["admin"]).data
    assert name not in text(again)
    assert structure(again)["figures"] == []  # no drawing left


def test_the_certificate_is_signed_tagged_and_its_qr_code_opens_the_verify_page(
    client, world, make_participant, make_asset
):
    from tests.conftest import BASE_URL
    from tests.pdfs import assert_signed_by_us, qr_codes, structure, text

    person, tablet = make_participant(), make_asset()
    _loan(client, world, person, tablet.tag)
    passed = client.post(
        "/api/v1/assessments",
        json={"participant": person.id, "score": 18, "max_score": 20, "taken_on": "2026-11-22", "venue": "online"},
        headers=world.headers["advocate"],
    ).json
    pdf = client.get(
        f"/api/v1/transfers/{passed['transfer']['id']}/certificate", headers=world.headers["advocate"]
    ).data
    assert_signed_by_us(pdf)
    tags = structure(pdf)
    assert tags["marked"] and tags["lang"] == "en-GB" and tags["title"].startswith("Certificate of ownership")
    assert any(alt.startswith("QR code: scan it to check this certificate") for alt in tags["figures"])
    assert tablet.serial in text(pdf) and person.name in text(pdf)
    [url] = qr_codes(pdf)
    assert url.startswith(f"{BASE_URL}/verify/")
    code = url.rsplit("/", 1)[1]
    assert person.name not in url and person.reference not in url
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200 and tablet.serial in page.get_data(as_text=True)


def test_a_tampered_pdf_fails_the_signature_check(client, world, make_participant, make_asset):
    from tests.pdfs import signature_status

    loan = _loan(client, world, make_participant(), make_asset().tag).json
    pdf = client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["advocate"]).data
    at = pdf.index(b"Handover record") if b"Handover record" in pdf else len(pdf) // 3
    tampered = pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1 :]
    assert not signature_status(tampered).intact


def test_a_signed_return_is_on_the_next_copy_of_the_handover_record(client, world, make_participant, make_asset):
    from tests.pdfs import assert_signed_by_us, structure, text

    person, tablet, sim = make_participant(), make_asset(), make_asset("sim")
    loan = _loan(client, world, person, tablet.tag, sim.tag).json
    before = client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["advocate"]).data
    assert "Returns" not in text(before)
    returned = client.post(
        f"/api/v1/loans/{loan['id']}/return",
        json={"items": [tablet.tag], "location": "HUB-A", "signature": {"method": "drawn", "svg": DRAWN}},
        headers=world.headers["advocate"],
    )
    assert returned.status_code == 200, returned.json
    after = client.get(f"/api/v1/loans/{loan['id']}/handover", headers=world.headers["advocate"]).data
    assert_signed_by_us(after)
    assert "Returns" in text(after) and "22 November 2026" in text(after)
    assert "The participant's signature for the return" in structure(after)["figures"]
    bad = client.post(
        f"/api/v1/assets/{sim.tag}/return",
        json={"location": "HUB-A", "signature": {"method": "drawn", "svg": "<svg><text>hi</text></svg>"}},
        headers=world.headers["warehouse"],
    )
    assert bad.status_code == 422 and "svg" in bad.json["errors"]["signature"]
    assert client.get(f"/api/v1/assets/{sim.tag}", headers=world.headers["warehouse"]).json["status"] == "on_loan"


def test_a_transfer_keeps_the_signature_given_with_the_passing_assessment(client, world, make_participant, make_asset):
    from tests.pdfs import text

    person, tablet = make_participant(), make_asset()
    _loan(client, world, person, tablet.tag)
    passed = client.post(
        "/api/v1/assessments",
        json={
            "participant": person.id,
            "score": 20,
            "max_score": 20,
            "taken_on": "2026-11-22",
            "venue": "classroom",
            "signature": {"method": "verbal", "note": "Agreed the equipment is now theirs, read aloud"},
        },
        headers=world.headers["advocate"],
    ).json
    pdf = client.get(
        f"/api/v1/transfers/{passed['transfer']['id']}/certificate", headers=world.headers["advocate"]
    ).data
    assert "Agreed the equipment is now theirs, read aloud" in text(pdf)


def test_a_pdf_is_signed_even_where_an_event_loop_is_running(client, world, make_participant, make_asset):
    """pyHanko runs its own event loop; a server or test that already runs one must still get signed PDFs."""
    import asyncio

    from inventory.extensions import db
    from inventory.models import Loan
    from inventory.services import handovers
    from tests.pdfs import assert_signed_by_us

    loan = _loan(client, world, make_participant(), make_asset().tag).json

    async def inside_a_loop():
        return handovers.handover_pdf(db.session.get(Loan, loan["id"]))

    assert_signed_by_us(asyncio.run(inside_a_loop()))
