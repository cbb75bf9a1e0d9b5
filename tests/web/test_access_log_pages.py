"""The access log from the pages: each page that shows or changes a participant's record writes its rows
(a list one per participant shown); a page re-shown with errors is still recorded; /admin/access-log is
for admins, filtered and paged, by reference and never by name."""

import html
import re

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import AccessAction, AccessChannel, AccessLogEntry
from inventory.services import access_log
from tests.conftest import TODAY

ADVOCATE = "advocate@test.example"


def logged() -> list[tuple]:
    db.session.rollback()
    return [
        (e.user.email if e.user else None, e.action.value, e.participant_id, e.what, e.channel.value)
        for e in db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id))
    ]


def test_the_list_and_a_search_record_one_row_per_participant_shown(as_role, make_participant):
    client, token = as_role("advocate")
    people = [make_participant(name=f"Listed {n}") for n in range(3)]
    assert client.get("/participants").status_code == 200
    found = client.post("/participants", data={"csrf_token": token, "search": "Listed 1"})
    assert "Listed 1" in found.get_data(as_text=True)
    assert logged() == [(ADVOCATE, "listed", p.id, "participants", "web") for p in people] + [
        (ADVOCATE, "listed", people[1].id, "participant search", "web")  # what was searched for is not kept
    ]


def test_each_participant_page_records_what_it_showed_or_did(as_role, make_participant, make_asset):
    client, token = as_role("advocate")
    new = client.post(
        "/participants/new",
        data={
            "csrf_token": token,
            "reference": "WEB-1",
            "name": "Wendy Web",
            "phone": "07700 900321",
            "area": "Halton",
            "referral_source": "other",
            "programme": "DII",
        },
    )
    assert new.status_code == 302
    pid = int(new.headers["Location"].split("/")[-2])  # /participants/<id>/issue
    assert client.get(f"/participants/{pid}").status_code == 200
    assert client.get(f"/participants/{pid}/edit").status_code == 200
    saved = client.post(
        f"/participants/{pid}/edit",
        data={
            "csrf_token": token,
            "name": "Wendy Web",
            "phone": "07700 900322",
            "area": "Halton",
            "referral_source": "other",
            "enrolled_on": TODAY.isoformat(),
        },
    )
    assert saved.status_code == 302
    assert client.get(f"/participants/{pid}/issue").status_code == 200
    tablet = make_asset("tablet")
    form = {"csrf_token": token, "items": tablet.tag, "agreement": "yes", "idempotency_key": "once"}
    assert client.post(f"/participants/{pid}/issue", data=form).status_code == 200
    assert client.post(f"/participants/{pid}/issue", data=form).status_code == 200  # a double tap
    assessment = {
        "csrf_token": token,
        "score": "20",
        "max_score": "20",
        "taken_on": TODAY.isoformat(),
        "venue": "online",
    }
    assert client.post(f"/participants/{pid}/assessments", data=assessment).status_code == 302
    rows = logged()
    loan = rows[5][3]
    assert rows == [
        (ADVOCATE, "created", pid, "new participant", "web"),
        (ADVOCATE, "viewed", pid, "case file page", "web"),
        (ADVOCATE, "viewed", pid, "edit page", "web"),
        (
            ADVOCATE,
            "changed",
            pid,
            "changed area, contact_consent, email, enrolled_on, name, phone, referral_source",
            "web",
        ),
        (ADVOCATE, "viewed", pid, "issue page", "web"),
        (ADVOCATE, "changed", pid, loan, "web"),  # once: the double tap issued nothing
        (ADVOCATE, "changed", pid, "assessment recorded", "web"),
    ]
    assert loan.startswith("loan ") and loan.endswith(" issued")
    transfer = db.session.execute(sa.text("SELECT id FROM transfers")).scalar_one()
    assert client.get(f"/participants/{pid}/certificates/{transfer}").status_code == 200
    assert logged()[-1] == (ADVOCATE, "viewed", pid, "ownership certificate", "web")


def test_a_page_shown_again_with_its_errors_is_still_recorded(as_role, make_participant, make_asset):
    """The request is refused (4xx) and its changes rolled back, but the page showed the participant."""
    client, token = as_role("advocate")
    person = make_participant()
    refused = client.post(f"/participants/{person.id}/assessments", data={"csrf_token": token, "score": "x"})
    assert refused.status_code == 422 and person.name in refused.get_data(as_text=True)
    taken = client.post(f"/participants/{person.id}/issue", data={"csrf_token": token, "items": "NOPE123"})
    assert taken.status_code >= 400
    assert logged() == [
        (ADVOCATE, "viewed", person.id, "case file page", "web"),
        (ADVOCATE, "viewed", person.id, "issue page", "web"),
    ]


def test_pages_that_are_not_found_record_nothing(as_role):
    client, _ = as_role("advocate")
    assert client.get("/participants/424242").status_code == 404
    assert logged() == []


def test_only_admins_open_the_access_log_page(app, world):
    from tests.web.conftest import new_request_context, sign_in

    for role in ("warehouse", "advocate", "partner", "admin"):
        client = app.test_client()
        sign_in(client, f"{role}@test.example")
        page = client.get("/admin/access-log")
        assert page.status_code == (200 if role == "admin" else 403), role
        new_request_context()
    assert "Personal-data access log" in client.get("/admin").get_data(as_text=True)


def test_the_access_log_page_filters_pages_and_shows_references_not_names(app, as_role, world, make_participant):
    from datetime import timedelta

    a = make_participant(reference="REF-ALPHA", name="Alpha Person", phone="07700 900777")
    b = make_participant(reference="REF-BRAVO", name="Bravo Person")
    advocate = world.people["advocate"].user
    with unit_of_work():
        access_log.record(world.admin, AccessAction.VIEWED, [a.id], "case file", AccessChannel.API)
        access_log.record(None, AccessAction.ERASED, [b.id], "retention erasure", AccessChannel.SCHEDULER)
    app.config["CLOCK"].advance(timedelta(days=1))
    with unit_of_work():
        for _ in range(25):  # 50 rows: with the two above, one more than a page
            access_log.record(advocate, AccessAction.LISTED, [a.id, b.id], "participants", AccessChannel.WEB)
        access_log.record(advocate, AccessAction.LISTED, [a.id, b.id], "participant list page 2", AccessChannel.API)
    client, _ = as_role("admin")
    page = client.get("/admin/access-log").get_data(as_text=True)
    assert "REF-ALPHA" in page and "REF-BRAVO" in page and "Alpha Person" not in page and "900777" not in page
    assert ADVOCATE in page and "participant list page 2" in page and "Older" in page and "Newest" not in page
    older_url = html.unescape(re.search(r'href="([^"]+)" rel="next"', page).group(1))
    older = client.get(older_url).get_data(as_text=True)
    assert "Newest" in older and "retention erasure" in older and "(Scheduler)" in older and "Older" not in older
    assert "participant list page 2" not in older  # no row twice, though 50 of them share one moment
    assert client.get(older_url.replace("cursor=", "cursor=x")).status_code == 422
    only_a = client.get(f"/admin/access-log?participant={a.id}&to={TODAY.isoformat()}").get_data(as_text=True)
    assert "case file" in only_a and "REF-BRAVO" not in only_a and "participants" not in only_a.split("<table")[1]
    by_admin = client.get("/admin/access-log?user=admin@test.example").get_data(as_text=True)
    assert "case file" in by_admin and "retention erasure" not in by_admin
    later = client.get(f"/admin/access-log?from={(TODAY + timedelta(days=1)).isoformat()}").get_data(as_text=True)
    assert "case file" not in later.split("<table")[1] and "participant list page 2" in later
    bad = client.get("/admin/access-log?from=yesterday&participant=x")
    assert bad.status_code == 422 and "is not a participant id" in bad.get_data(as_text=True)
    assert len(logged()) == 2 + 50 + 2  # reading the page wrote nothing


def test_the_access_log_dates_are_day_month_year_boxes_and_old_iso_links_still_work(
    app, as_role, world, make_participant
):
    from datetime import timedelta

    a = make_participant(reference="REF-DAYS")
    with unit_of_work():
        access_log.record(world.admin, AccessAction.VIEWED, [a.id], "the first day", AccessChannel.API)
    app.config["CLOCK"].advance(timedelta(days=2))
    with unit_of_work():
        for _ in range(51):  # one more than a page, two days later
            access_log.record(world.admin, AccessAction.VIEWED, [a.id], "two days on", AccessChannel.WEB)
    client, _ = as_role("admin")
    form = client.get("/admin/access-log").get_data(as_text=True)
    for name in ("from-day", "from-month", "from-year", "to-day", "to-month", "to-year"):
        assert f'name="{name}"' in form
    assert 'type="date"' not in form
    later = TODAY + timedelta(days=1)
    boxes = f"from-day={later.day}&from-month={later.month}&from-year={later.year}"
    page = client.get(f"/admin/access-log?{boxes}").get_data(as_text=True)
    assert "two days on" in page and "the first day" not in page
    assert f'name="from-day" type="text" value="{later.day}"' in page  # the boxes keep what was asked
    # The next page keeps the boxes (its cursor is for these filters) and ends the list.
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', page).group(1))
    assert "from-day=" in following
    rest = client.get(following).get_data(as_text=True)
    assert rest.count("two days on") == 1 and "the first day" not in rest
    # A link from before the boxes (an ISO date) reads the same, and shows it in the boxes.
    old = client.get(f"/admin/access-log?to={TODAY.isoformat()}").get_data(as_text=True)
    assert (
        "the first day" in old and "two days on" not in old and f'name="to-day" type="text" value="{TODAY.day}"' in old
    )
    # A day that does not exist: 422, the error beside the field and in the summary, the boxes as typed.
    bad = client.get("/admin/access-log?to-day=31&to-month=2&to-year=2026")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'href="#f-to"' in text and 'id="f-to-error"' in text and "Enter a real date" in text
    assert 'name="to-day" type="text" value="31"' in text and "the first day" not in text
