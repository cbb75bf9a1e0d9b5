"""The lists of loans (/loans) and data plans (/data-plans): who may see them, their filters, paging by a
signed cursor, rows that link to their pages, and the access-log rows each page shown writes."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import AccessAction, AccessLogEntry
from inventory.services import reference, returns, users
from inventory.web import lists
from tests.conftest import TODAY
from tests.web.conftest import sign_in


def refs_on(page) -> list[str]:
    return re.findall(r">(REF-\d+)</a>", page.get_data(as_text=True))


def next_link(page) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', page.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def logged(what: str) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(AccessLogEntry.participant_id)
            .where(AccessLogEntry.what == what, AccessLogEntry.action == AccessAction.LISTED)
            .order_by(AccessLogEntry.id)
        )
    )


@pytest.fixture
def other_advocate(world):
    with unit_of_work():
        user, _ = users.create_user("other-advocate@test.example", "advocate", password="correct horse battery")
    return user


@pytest.fixture
def lending(world):
    with unit_of_work():
        return reference.create_programme(
            code="LEND",
            name="Lending",
            connectivity_months=1,
            ownership_rule="loan_only",
            assessment_name="L1",
            pass_mark=50,
            loan_weeks=2,
        )


def test_an_advocate_lists_their_own_loans_with_links_names_and_access_log_rows(
    client, world, make_participant, make_asset, issue, other_advocate
):
    mine = make_participant()
    theirs = make_participant(advocate=other_advocate)
    issue(mine, make_asset("tablet").tag)
    issue(theirs, make_asset("tablet").tag, actor=other_advocate)
    sign_in(client, "advocate@test.example")
    page = client.get("/loans")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert refs_on(page) == [mine.reference] and theirs.reference not in text and theirs.name not in text
    assert f'href="/participants/{mine.id}"' in text and mine.name in text
    assert "1 of 1" in text and "Open" in text and "22 November 2026" in text
    assert logged("loans list") == [mine.id]
    sign_in(client, "admin@test.example")
    assert sorted(refs_on(client.get("/loans"))) == sorted([mine.reference, theirs.reference])


@pytest.mark.parametrize("role", ["warehouse", "partner"])
def test_roles_without_participants_cannot_open_the_lists(client, world, make_participant, make_asset, issue, role):
    person = make_participant()
    issue(person, make_asset("sim").tag)
    sign_in(client, f"{role}@test.example")
    for path in ("/loans", "/data-plans"):
        page = client.get(path)
        text = page.get_data(as_text=True)
        assert page.status_code == 403 and person.reference not in text and person.name not in text
    assert 'href="/loans"' not in client.get("/").get_data(as_text=True)
    assert logged("loans list") == [] and logged("data plans list") == []


def test_loans_filter_by_state_programme_and_issue_dates(client, world, make_participant, make_asset, issue, lending):
    late = make_participant(programme="LEND")
    issue(late, make_asset("laptop", programme="LEND").tag, issued_on=date(2026, 11, 1))  # due 15 November
    back = make_participant()
    receipt = issue(back, make_asset("tablet").tag, issued_on=date(2026, 10, 10))
    with unit_of_work():
        returns.return_items(receipt["id"], world.people["advocate"].user, location="WH-MAIN", today=TODAY)
    out = make_participant()
    issue(out, make_asset("tablet").tag)
    sign_in(client, "advocate@test.example")
    assert refs_on(client.get("/loans?state=overdue")) == [late.reference]
    assert refs_on(client.get("/loans?state=open")) == [out.reference, late.reference]
    closed = client.get("/loans?state=closed")
    assert refs_on(closed) == [back.reference] and "Closed" in closed.get_data(as_text=True)
    assert refs_on(client.get("/loans?programme=lend")) == [late.reference]
    dated = "/loans?" + "&".join(
        ["issued_from-day=1", "issued_from-month=10", "issued_from-year=2026"]
        + ["issued_to-day=31", "issued_to-month=10", "issued_to-year=2026"]
    )
    assert refs_on(client.get(dated)) == [back.reference]
    form = client.get(dated).get_data(as_text=True)
    assert re.search(r'name="issued_to-day"[^>]*value="31"', form)  # the search is kept in the form
    wrong = client.get("/loans?issued_from-day=31&issued_from-month=2&issued_from-year=2026")
    assert wrong.status_code == 422 and "Enter a real date" in wrong.get_data(as_text=True)
    backwards = client.get(
        "/loans?issued_from-day=2&issued_from-month=11&issued_from-year=2026"
        "&issued_to-day=1&issued_to-month=11&issued_to-year=2026"
    )
    assert backwards.status_code == 422
    assert client.get("/loans?state=lost").status_code == 422
    assert client.get("/loans?programme=NOPE").status_code == 422


def test_loans_page_by_cursor_and_a_tampered_cursor_is_refused(
    client, world, make_participant, make_asset, issue, monkeypatch
):
    monkeypatch.setattr(lists, "PAGE_SIZE", 3)
    people = [make_participant() for _ in range(7)]
    for person in people:
        issue(person, make_asset("tablet").tag)
    sign_in(client, "advocate@test.example")
    newest_first = [p.reference for p in reversed(people)]
    seen, page = [], client.get("/loans")
    assert "First page" not in page.get_data(as_text=True)
    while True:
        seen += refs_on(page)
        following = next_link(page)
        if following is None:
            break
        page = client.get(following)
        assert "First page" in page.get_data(as_text=True)
    assert seen == newest_first
    second = next_link(client.get("/loans"))
    assert refs_on(client.get(second)) == newest_first[3:6]
    tampered = second[:-3] + ("AAA" if not second.endswith("AAA") else "BBB")
    refused = client.get(tampered)
    assert refused.status_code == 422 and refs_on(refused) == []
    other_filters = second.replace("/loans?", "/loans?state=closed&")
    assert client.get(other_filters).status_code == 422
    # The access log names each page's participants, page by page.
    assert logged("loans list")[:3] == [p.id for p in reversed(people)][:3]


def test_data_plans_list_filters_links_and_access_log(
    client, world, make_participant, make_asset, issue, other_advocate
):
    soon = make_participant()
    issue(soon, (soon_sim := make_asset("sim")).tag, issued_on=TODAY - timedelta(days=6 * 30 - 10))
    later = make_participant(programme="HIW")
    issue(later, (later_sim := make_asset("sim", programme="HIW")).tag)
    gone = make_participant()
    issue(gone, make_asset("sim").tag, issued_on=date(2025, 11, 1))  # six months: expired in May
    theirs = make_participant(advocate=other_advocate)
    issue(theirs, make_asset("sim").tag, actor=other_advocate)
    sign_in(client, "advocate@test.example")
    page = client.get("/data-plans")
    text = page.get_data(as_text=True)
    assert refs_on(page) == [gone.reference, soon.reference, later.reference]  # soonest end first
    assert theirs.reference not in text and theirs.name not in text
    assert re.search(f'href="/[aA]/{soon_sim.tag}"', text)
    assert f'href="/participants/{soon.id}"' in text and soon.name in text
    assert logged("data plans list") == [gone.id, soon.id, later.id]
    assert refs_on(client.get("/data-plans?status=active")) == [soon.reference, later.reference]
    assert refs_on(client.get("/data-plans?status=expired")) == [gone.reference]
    assert refs_on(client.get("/data-plans?within=30")) == [soon.reference]
    hiw = client.get("/data-plans?programme=HIW")
    assert refs_on(hiw) == [later.reference] and later_sim.tag in hiw.get_data(as_text=True)
    assert client.get("/data-plans?within=soon").status_code == 422
    assert client.get("/data-plans?status=paused").status_code == 422
    sign_in(client, "admin@test.example")
    assert theirs.reference in refs_on(client.get("/data-plans"))


def test_data_plans_page_by_end_date_and_id(client, world, make_participant, make_asset, issue, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    people = [make_participant() for _ in range(5)]
    for n, person in enumerate(people):
        # Two pairs end on the same day: the id settles the order within a day.
        issue(person, make_asset("sim").tag, issued_on=TODAY - timedelta(days=n // 2))
    sign_in(client, "advocate@test.example")
    expected = [p.reference for p in sorted(people, key=lambda p: (-(people.index(p) // 2), p.id))]
    seen, page = [], client.get("/data-plans")
    while page is not None:
        seen += refs_on(page)
        following = next_link(page)
        page = client.get(following) if following else None
    assert seen == expected
    second = next_link(client.get("/data-plans"))
    assert client.get(second.replace("cursor=", "cursor=x")).status_code == 422
    assert client.get(second.replace("/data-plans?", "/data-plans?status=ended&")).status_code == 422
