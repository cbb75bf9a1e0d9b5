"""One action done offline, sent by three senders at the same moment (the page, another tab, and the service
worker's Background Sync, all with the same session): one loan, and every sender gets the same answer."""

import re
import uuid

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import AccessLogEntry, Loan
from tests.conftest import at_once
from tests.integration.test_concurrency import PlainHttpSession

pytestmark = pytest.mark.slow


def test_three_senders_of_one_queued_issue_give_one_loan(live_server, world, make_asset, make_participant):
    from inventory.services import kits

    person = make_participant()
    with unit_of_work():
        kit = kits.build_kit([make_asset("tablet").tag, make_asset("sim").tag], world.warehouse)
    phone = PlainHttpSession()
    form = phone.get(f"{live_server}/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed = phone.post(
        f"{live_server}/sign-in",
        data={"email": "advocate@test.example", "password": "correct horse battery", "csrf_token": token},
        allow_redirects=False,  # the session cookie is made usable over plain http once this returns
    )
    assert signed.status_code == 302
    # Three senders on one phone share its cookie; each fetches a token as offline-store.js does.
    senders = []
    for _ in range(3):
        answer = phone.get(f"{live_server}/offline/token")
        assert answer.status_code == 200
        senders.append((phone, answer.json()["csrf_token"]))
    key = str(uuid.uuid4())
    body = {"participant": person.id, "items": [kit.tag], "issued_on": "2026-11-21", "agreement_accepted": True}

    def send(sender, csrf):
        return sender.post(
            f"{live_server}/offline/send/issue",
            json=body,
            headers={"Idempotency-Key": key, "X-CSRFToken": csrf, "Accept": "application/json"},
        )

    answers = at_once([lambda s=s, t=t: send(s, t) for s, t in senders])
    assert sorted(a.status_code for a in answers) == [200, 200, 201], [a.text[:160] for a in answers]
    assert len({a.json()["loan"] for a in answers}) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan)) == 1
    logged = sa.select(sa.func.count()).select_from(AccessLogEntry).where(AccessLogEntry.what.like("loan % issued"))
    assert db.session.scalar(logged) == 1
