"""Copies of the paperwork for the participant, through GOV.UK Notify (a stand-in that checks files as
Notify does): the handover record and the certificate as files by email, a short note by SMS."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Notification
from inventory.notifiers.base import Message
from inventory.notifiers.govuk_notify import GovukNotifyNotifier
from inventory.services import assessments, outbox, privacy
from tests.conftest import TODAY
from tests.integration.test_outbox_sender import API_KEY, TEMPLATES, FakeNotify, file_errors
from tests.pdfs import assert_signed_by_us, text


@pytest.fixture
def copies_on(app):
    app.config["PAPERWORK_COPIES"] = True
    yield
    app.config["PAPERWORK_COPIES"] = False


@pytest.fixture
def notify():
    with FakeNotify() as fake:
        yield fake


def send(notify):
    notifier = GovukNotifyNotifier(api_key=API_KEY, base_url=notify.url, templates=TEMPLATES, timeout=10)
    return outbox.send_due(notifier, now=datetime(2026, 11, 22, 13, tzinfo=UTC), max_attempts=3, next_steps="-")


def test_the_handover_and_the_certificate_go_by_email_as_files(
    copies_on, notify, world, make_participant, make_asset, issue
):
    person, tablet = make_participant(email="alex@example.org"), make_asset()
    receipt = issue(person, tablet.tag)
    with unit_of_work():
        assessments.record(
            participant_id=person.id,
            score=20,
            max_score=20,
            taken_on=TODAY,
            venue="home",
            actor=world.people["advocate"].user,
            today=TODAY,
        )
    copies = db.session.scalars(sa.select(Notification).where(Notification.participant_id == person.id)).all()
    assert [n.outbox_advocate_id for n in copies] == [person.advocate_id] * 2  # in the advocate's outbox
    report = send(notify)
    assert report.sent == 2 and report.failed == 0
    handover, certificate = notify.bodies
    assert handover["email_address"] == "alex@example.org" and handover["template_id"] == TEMPLATES["handover_email"]
    assert certificate["template_id"] == TEMPLATES["certificate_email"]
    for body, what in ((handover, "handover record"), (certificate, "certificate of ownership")):
        file = body["personalisation"]["link_to_file"]
        assert file["confirm_email_before_download"] is True and file["is_csv"] is False
        assert file["retention_period"] == "26 weeks"
        pdf = base64.b64decode(file["file"])
        assert_signed_by_us(pdf)
        assert tablet.serial in text(pdf)
        assert body["personalisation"]["document"] == what
    assert handover["personalisation"]["link_to_file"]["filename"] == f"handover-{receipt['id']}.pdf"


def test_by_sms_only_a_short_note_and_never_a_link(copies_on, notify, make_participant, make_asset, issue):
    person = make_participant(email=None, phone="07700 900222")
    issue(person, make_asset().tag)
    assert send(notify).sent == 1
    [note] = notify.bodies
    assert note["phone_number"] == "+447700900222" and note["template_id"] == TEMPLATES["handover_sms"]
    values = " ".join(str(v) for v in note["personalisation"].values())
    assert "http" not in values and "/verify/" not in values and "file" not in note["personalisation"]


def test_no_consent_no_copy_and_erasure_stops_a_queued_one(
    copies_on, notify, make_participant, make_asset, issue, world
):
    issue(make_participant(contact_consent=False), make_asset().tag)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    person = make_participant()
    issue(person, make_asset().tag)
    with unit_of_work():
        privacy.erase(person.id, world.admin)
    report = send(notify)
    assert report.sent == 0 and notify.bodies == []


def test_the_stand_in_refuses_what_notify_refuses():
    pdf = base64.b64encode(b"%PDF-1.7 ...").decode()
    good = {"file": pdf, "is_csv": False, "confirm_email_before_download": True, "retention_period": "26 weeks"}
    assert file_errors({"email_address": "a@b.c", "personalisation": {"f": good}}) == []
    assert file_errors({"phone_number": "07700900000", "personalisation": {"f": good}})
    assert file_errors({"email_address": "a@b.c", "personalisation": {"f": {**good, "file": "not base64!"}}})
    assert file_errors({"email_address": "a@b.c", "personalisation": {"f": {**good, "retention_period": "99 weeks"}}})
    exe = base64.b64encode(b"MZ\x90\x00").decode()
    assert file_errors({"email_address": "a@b.c", "personalisation": {"f": {**good, "file": exe}}})
    big = base64.b64encode(b"%PDF-" + b"x" * (2 * 1024 * 1024)).decode()
    assert file_errors({"email_address": "a@b.c", "personalisation": {"f": {**good, "file": big}}})


def test_the_log_notifier_keeps_no_file_in_its_log_line(caplog):
    from inventory.notifiers.log import LogNotifier

    LogNotifier().send(Message("handover", "email", "alex@example.org", {"link_to_file": {"file": "JVBERi0="}}, "r1"))
    assert "JVBERi0=" not in caplog.text and "alex@example.org" not in caplog.text
