"""The access log over the API: each participants door records exactly its rows, a list one row per
participant shown; GET /api/v1/access-log is for admins, filtered and paged, newest first; the subject
access export carries the participant's entries; and no row holds a name, phone or email."""

from datetime import timedelta

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import AccessLogEntry
from tests.conftest import TODAY

ADVOCATE = "advocate@test.example"
ADMIN = "admin@test.example"


def logged() -> list[tuple]:
    db.session.rollback()
    return [
        (e.user.email if e.user else None, e.action.value, e.participant_id, e.what, e.channel.value)
        for e in db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id))
    ]


def _new(client, world, **fields):
    body = {
        "reference": "R-1",
        "name": "Zebedee Quist",
        "phone": "07700 900456",
        "email": "zebedee@example.org",
        "area": "Halton",
        "referral_source": "other",
        "programme": "DII",
    } | fields
    r = client.post("/api/v1/participants", json=body, headers=world.headers["advocate"])
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_each_participants_door_records_what_it_did(client, world):
    admin, advocate = world.headers["admin"], world.headers["advocate"]
    pid = _new(client, world)
    assert client.get(f"/api/v1/participants/{pid}", headers=advocate).status_code == 200
    patch = client.patch(
        f"/api/v1/participants/{pid}", json={"phone": "07700 900457", "area": "Sefton"}, headers=advocate
    )
    assert patch.status_code == 200
    assert (
        client.post(f"/api/v1/participants/{pid}/reassign", json={"advocate": ADVOCATE}, headers=admin).status_code
        == 200
    )
    assert client.get(f"/api/v1/participants/{pid}/export", headers=admin).status_code == 200
    assert client.post(f"/api/v1/participants/{pid}/erase", headers=admin).status_code == 200
    assert logged() == [
        (ADVOCATE, "created", pid, "new participant", "api"),
        (ADVOCATE, "viewed", pid, "case file", "api"),
        (ADVOCATE, "changed", pid, "changed area, phone", "api"),
        (ADMIN, "reassigned", pid, "given to another advocate", "api"),
        (ADMIN, "exported", pid, "subject access export", "api"),
        (ADMIN, "erased", pid, "erasure", "api"),
    ]


def test_refusals_record_nothing(client, world, make_participant):
    from inventory.extensions import unit_of_work
    from inventory.services import users

    with unit_of_work():
        other, _ = users.create_user("other-advocate@test.example", "advocate")
    someone_elses = make_participant(advocate=other)  # not on the demo advocate's caseload
    advocate = world.headers["advocate"]
    assert client.get(f"/api/v1/participants/{someone_elses.id}", headers=advocate).status_code == 404
    bad = client.patch(f"/api/v1/participants/{someone_elses.id}", json={"phone": "12"}, headers=world.headers["admin"])
    assert bad.status_code == 422
    assert client.get(f"/api/v1/participants/{someone_elses.id}", headers=world.headers["warehouse"]).status_code == 403
    assert logged() == []


def test_a_list_records_one_row_per_participant_shown(client, world, make_participant):
    people = [make_participant() for _ in range(3)]
    advocate = world.headers["advocate"]
    first = client.get("/api/v1/participants?page_size=2", headers=advocate)
    second = client.get("/api/v1/participants?page_size=2&page=2", headers=advocate)
    assert [p["id"] for p in first.json + second.json] == [p.id for p in people]
    assert client.get("/api/v1/participants?page=9", headers=advocate).json == []  # nobody shown
    assert logged() == [
        (ADVOCATE, "listed", people[0].id, "participant list page 1", "api"),
        (ADVOCATE, "listed", people[1].id, "participant list page 1", "api"),
        (ADVOCATE, "listed", people[2].id, "participant list page 2", "api"),
    ]


def test_issuing_assessing_and_the_certificate_are_recorded(client, world, make_participant, make_asset):
    person, tablet = make_participant(), make_asset("tablet")
    advocate = world.headers["advocate"]
    body = {"participant": person.id, "items": [tablet.tag], "agreement_accepted": True}
    loan = client.post("/api/v1/loans", json=body, headers=advocate | {"Idempotency-Key": "k1"})
    replay = client.post("/api/v1/loans", json=body, headers=advocate | {"Idempotency-Key": "k1"})
    assert loan.status_code == replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    passed = client.post(
        "/api/v1/assessments",
        json={"participant": person.id, "score": 20, "max_score": 20, "taken_on": TODAY.isoformat(), "venue": "online"},
        headers=advocate,
    )
    pdf = client.get(f"/api/v1/transfers/{passed.json['transfer']['id']}/certificate", headers=advocate)
    assert pdf.status_code == 200
    assert logged() == [
        (ADVOCATE, "changed", person.id, f"loan {loan.json['id']} issued", "api"),  # once: the replay issued nothing
        (ADVOCATE, "changed", person.id, "assessment recorded", "api"),
        (ADVOCATE, "viewed", person.id, "ownership certificate", "api"),
    ]


def test_only_admins_read_the_log(client, world):
    for role in ("warehouse", "advocate", "partner"):
        r = client.get("/api/v1/access-log", headers=world.headers[role])
        assert r.status_code == 403 and r.json["message"] == f"A {role} user may not do this"
    assert client.get("/api/v1/access-log").status_code == 401
    assert client.get("/api/v1/access-log", headers=world.headers["admin"]).json == []


def test_the_log_is_filtered_paged_newest_first_and_not_itself_logged(app, client, world):
    admin = world.headers["admin"]
    a = _new(client, world, reference="A")
    app.config["CLOCK"].advance(timedelta(days=1))
    b = _new(client, world, reference="B")
    client.get(f"/api/v1/participants/{a}", headers=admin)
    everything = client.get("/api/v1/access-log", headers=admin)
    assert everything.status_code == 200
    assert [(e["user"], e["action"], e["participant"], e["participant_reference"]) for e in everything.json] == [
        (ADMIN, "viewed", a, "A"),
        (ADVOCATE, "created", b, "B"),
        (ADVOCATE, "created", a, "A"),
    ]
    entry = everything.json[0]
    assert set(entry) == {"id", "at", "user", "action", "participant", "participant_reference", "what", "channel"}
    assert entry["what"] == "case file" and entry["channel"] == "api"
    assert entry["at"].startswith((TODAY + timedelta(days=1)).isoformat())
    assert len(logged()) == 3  # reading the log wrote nothing

    def ids(query):
        r = client.get(f"/api/v1/access-log?{query}", headers=admin)
        assert r.status_code == 200, r.json
        return [(e["action"], e["participant"]) for e in r.json]

    assert ids(f"participant={a}") == [("viewed", a), ("created", a)]
    assert ids(f"user={ADVOCATE}") == [("created", b), ("created", a)]
    assert ids(f"from={TODAY}&to={TODAY}") == [("created", a)]
    assert ids(f"from={TODAY + timedelta(days=1)}") == [("viewed", a), ("created", b)]
    assert ids(f"user={ADMIN}&participant={b}") == []
    page = client.get("/api/v1/access-log?page_size=2&page=2", headers=admin)
    assert [e["participant"] for e in page.json] == [a]
    assert '"total": 3' in page.headers["X-Pagination"]
    assert client.get("/api/v1/access-log?from=yesterday", headers=admin).status_code == 422
    assert len(client.get("/api/v1/access-log?from=0001-01-01&to=9999-12-31", headers=admin).json) == 3
    assert client.get("/api/v1/access-log?participant=0", headers=admin).status_code == 422


def test_the_export_includes_the_participants_access_log(client, world):
    admin = world.headers["admin"]
    pid = _new(client, world)
    client.get(f"/api/v1/participants/{pid}", headers=world.headers["advocate"])
    export = client.get(f"/api/v1/participants/{pid}/export", headers=admin).json
    assert [(e["user"], e["action"], e["what"], e["channel"]) for e in export["access_log"]] == [
        (ADVOCATE, "created", "new participant", "api"),
        (ADVOCATE, "viewed", "case file", "api"),
    ]
    assert set(export["access_log"][0]) == {"at", "user", "action", "what", "channel"}
    again = client.get(f"/api/v1/participants/{pid}/export", headers=admin).json
    assert again["access_log"][-1]["action"] == "exported" and again["access_log"][-1]["user"] == ADMIN


def test_no_personal_data_reaches_the_log(client, world, make_participant):
    admin, advocate = world.headers["admin"], world.headers["advocate"]
    pid = _new(client, world)
    client.get("/api/v1/participants", headers=advocate)
    client.get(f"/api/v1/participants/{pid}", headers=advocate)
    client.patch(f"/api/v1/participants/{pid}", json={"name": "Zebedee Quist-Other"}, headers=advocate)
    client.get(f"/api/v1/participants/{pid}/export", headers=admin)
    client.post(f"/api/v1/participants/{pid}/erase", headers=admin)
    stored = " ".join(str(row) for row in db.session.execute(sa.text("SELECT * FROM access_log")).all())
    answered = client.get("/api/v1/access-log?page_size=500", headers=admin).get_data(as_text=True)
    assert len(logged()) == 6
    for personal in ("Zebedee", "Quist", "07700", "+447700", "900456", "zebedee@"):
        assert personal not in stored and personal not in answered
