"""GOV.UK Notify's delivery receipts: sent by a fake Notify after a real send, received by the callback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import Channel, Notification
from inventory.notifiers.govuk_notify import GovukNotifyNotifier
from inventory.services import outbox, reminders
from tests.integration.test_outbox_sender import API_KEY, START, SWEEP_DAY, TEMPLATES, FakeNotify, send_until_done

TOKEN = "callback-token-from-notify-settings"


@pytest.fixture
def notify():
    """A fake Notify that speaks Notify's API (the sender's tests use it too)."""
    with FakeNotify() as fake:
        yield fake


@pytest.fixture
def notifier(notify):
    return GovukNotifyNotifier(api_key=API_KEY, base_url=notify.url, templates=TEMPLATES, timeout=5)


def receipt(client, row, status, token=TOKEN):
    """What Notify POSTs: its id, our reference, the status, and more (the recipient too, which we ignore)."""
    body = {
        "id": row.provider_id,
        "reference": row.reference,
        "to": "07700900123",
        "status": status,
        "created_at": "2027-01-29T09:00:00.000000Z",
        "completed_at": "2027-01-29T09:00:05.000000Z",
        "sent_at": "2027-01-29T09:00:01.000000Z",
        "notification_type": row.channel.value,
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "template_version": 1,
    }
    return client.post("/api/v1/notify/callback", json=body, headers={"Authorization": f"Bearer {token}"})


def sent_sms(notifier, make_participant, make_asset, issue, email):
    person = make_participant(phone="07700900123", email=email, contact_consent=True)
    issue(person, make_asset("sim").tag, issued_on=START, today=START)
    with unit_of_work():
        reminders.sweep(SWEEP_DAY)
    send_until_done(notifier, rounds=1)
    db.session.expire_all()
    row = db.session.scalars(
        sa.select(Notification).where(Notification.participant_id == person.id, Notification.channel == Channel.SMS)
    ).one()
    assert row.status.value == "sent" and row.provider_id
    return person, row


def test_a_delivered_sms_is_recorded(app, client, world, notifier, make_participant, make_asset, issue):
    app.config["NOTIFY_CALLBACK_TOKEN"] = TOKEN
    _, row = sent_sms(notifier, make_participant, make_asset, issue, email=None)
    assert receipt(client, row, "delivered").status_code == 204
    db.session.expire_all()
    assert db.session.get(Notification, row.id).delivery_status.value == "delivered"
    listed = client.get("/api/v1/notifications", headers=world.headers["admin"]).json
    assert {n["id"]: n["delivery_status"] for n in listed}[row.id] == "delivered"


def test_an_sms_that_cannot_arrive_goes_again_by_email_once(
    app,
    client,
    world,
    notify,
    notifier,
    make_participant,
    make_asset,
    issue,
):
    app.config["NOTIFY_CALLBACK_TOKEN"] = TOKEN
    person, row = sent_sms(notifier, make_participant, make_asset, issue, email="riley@example.org")
    assert receipt(client, row, "permanent-failure").status_code == 204
    assert receipt(client, row, "permanent-failure").status_code == 204  # Notify may say it twice
    emails = db.session.scalars(
        sa.select(Notification).where(Notification.participant_id == person.id, Notification.channel == Channel.EMAIL)
    ).all()
    assert len(emails) == 1 and emails[0].kind == row.kind and emails[0].status.value == "queued"
    assert emails[0].outbox_advocate_id == person.advocate_id  # in the advocate's outbox, as the SMS was
    # The next send takes it to Notify as an email to the address the participant gave.
    outbox.send_due(notifier, now=datetime(2027, 1, 29, 10, tzinfo=UTC), max_attempts=3, next_steps="Ask about it.")
    sent = next(body for body in notify.bodies if body["reference"] == emails[0].reference)
    assert sent["email_address"] == "riley@example.org"
    # The advocate sees that the text did not arrive.
    from tests.web.conftest import sign_in

    sign_in(client, "advocate@test.example")
    page = client.get("/reminders").get_data(as_text=True)
    assert "Reminders that did not arrive" in page and "Number or address does not work" in page


def test_no_email_address_no_fallback(app, client, world, notifier, make_participant, make_asset, issue):
    app.config["NOTIFY_CALLBACK_TOKEN"] = TOKEN
    person, row = sent_sms(notifier, make_participant, make_asset, issue, email=None)
    assert receipt(client, row, "permanent-failure").status_code == 204
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(Notification.participant_id == person.id, Notification.kind == row.kind)
        )
        == 1
    )


def test_the_callback_needs_notifys_token(app, client, world):
    app.config["NOTIFY_CALLBACK_TOKEN"] = TOKEN
    body = {"id": "x", "reference": "inventory-1", "status": "delivered"}
    assert client.post("/api/v1/notify/callback", json=body).status_code == 401
    wrong = client.post("/api/v1/notify/callback", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert (
        client.post(
            "/api/v1/notify/callback", json=body | {"status": "lost"}, headers={"Authorization": f"Bearer {TOKEN}"}
        ).status_code
        == 422
    )
    # Not ours: accepted (so Notify does not retry for ever), and nothing is stored.
    assert (
        client.post("/api/v1/notify/callback", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 204
    )
    app.config["NOTIFY_CALLBACK_TOKEN"] = ""
    assert (
        client.post("/api/v1/notify/callback", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 404
    )
