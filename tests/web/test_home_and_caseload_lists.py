"""Each role's home page counts what needs attention and links to the list of exactly those rows; the
caseload's lists and paging; the users page's paging and "without a second factor"."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from inventory.extensions import unit_of_work
from inventory.models import Notification, NotificationStatus
from inventory.services import lifecycle, users
from tests.conftest import TODAY
from tests.web.conftest import sign_in


def counts(page) -> dict[str, tuple[int, str | None]]:
    """{text: (count, link)} of the home page's "Needs attention" cards."""
    text = page.get_data(as_text=True)
    block = text.split('aria-label="Needs attention"')[1].split("</ul>")[0]
    found = {}
    for card in block.split("<li")[1:]:
        link = re.search(r'href="([^"]+)"', card)
        number = int(re.search(r'<span class="app-big">(\d+)</span>', card).group(1))
        label = re.sub(r"<[^>]+>", "", card.split("</span>", 1)[1]).strip()
        found[label] = (number, html.unescape(link.group(1)) if link else None)
    return found


def refs_on(page) -> list[str]:
    return re.findall(r">(REF-\d+)</a>", page.get_data(as_text=True))


def another_advocate():
    with unit_of_work():
        user, _ = users.create_user("other-advocate@test.example", "advocate", password="correct horse battery")
    return user


def test_warehouse_home_counts_unwiped_devices_and_long_quarantine(app, client, world, make_asset):
    make_asset("tablet", wipe_certificate=None)  # received, waiting for its certificate
    waiting = make_asset("laptop")
    with unit_of_work():
        lifecycle.quarantine(waiting.tag, world.warehouse)
    app.config["CLOCK"].advance(timedelta(days=8))
    sign_in(client, "warehouse@test.example")
    home = counts(client.get("/"))
    assert home["Devices received without a wipe certificate"] == (1, "/assets?status=received")
    assert home["In quarantine for more than 7 days"] == (1, "/assets?quarantined_days=7")
    assert home["Items someone reported found"][0] == 0
    assert waiting.tag in client.get("/assets?quarantined_days=7").get_data(as_text=True)


def test_advocate_home_and_the_caseload_lists_it_links_to(app, client, world, make_participant, make_asset, issue):
    ending, fresh, silent = make_participant(), make_participant(), make_participant()
    make_participant(advocate=another_advocate())  # someone else's
    sim = make_asset("sim")
    issue(ending, sim.tag, issued_on=TODAY - timedelta(days=6 * 30 - 3))  # six months of data, ends in days
    issue(fresh, make_asset("tablet").tag, issued_on=TODAY - timedelta(weeks=5))
    with unit_of_work() as session:
        session.add(
            Notification(
                key="t:1",
                kind="plan_ending",
                channel="sms",
                status=NotificationStatus.FAILED,
                due_on=TODAY,
                participant_id=silent.id,
                advocate_id=world.people["advocate"].user.id,
            )
        )
    sign_in(client, "advocate@test.example")
    home = counts(client.get("/"))
    assert home["Free data ends within 7 days"] == (1, "/participants?show=data_ends_7")
    # Both had kit for weeks (the SIM for months) without an assessment.
    assert home["Kit out 4 weeks or more, no assessment yet"] == (2, "/participants?show=no_assessment_4_weeks")
    assert home["Reminders that did not reach them"] == (1, "/participants?show=reminder_not_delivered")
    assert refs_on(client.get("/participants?show=data_ends_7")) == [ending.reference]
    assert refs_on(client.get("/participants?show=no_assessment_4_weeks")) == [ending.reference, fresh.reference]
    assert refs_on(client.get("/participants?show=reminder_not_delivered")) == [silent.reference]
    assert sorted(refs_on(client.get("/participants?show=no_assessment"))) == sorted(
        [ending.reference, fresh.reference]
    )
    assert client.get("/participants?show=everyone-else").status_code == 422


def test_the_caseload_has_no_cap_and_pages_by_cursor(client, world, make_participant):
    made = [make_participant().reference for _ in range(55)]
    sign_in(client, "advocate@test.example")
    first = client.get("/participants")
    assert refs_on(first) == made[:50]
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', first.get_data(as_text=True)).group(1))
    assert refs_on(client.get(following)) == made[50:]
    other = following.replace("/participants?", "/participants?show=data_ends_7&")
    assert client.get(other).status_code == 422  # a cursor from another list


def test_admin_home_and_the_users_without_a_second_factor(client, world):
    with unit_of_work():
        for n in range(52):
            users.create_user(f"extra{n:02d}@test.example", "warehouse", password="correct horse battery")
    sign_in(client, "admin@test.example")
    home = counts(client.get("/"))
    assert home["Users without a second factor"] == (56, "/admin/users?mfa=off")
    assert home["Reminders that failed"][0] == 0
    client.post("/confirm", data={"password": "correct horse battery", "csrf_token": _token(client)})
    first = client.get("/admin/users?mfa=off").get_data(as_text=True)
    assert first.count("@test.example</td>") == 50 and 'rel="next"' in first
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    second = client.get(following).get_data(as_text=True)
    assert second.count("@test.example</td>") == 6 and "First page" in second and 'rel="next"' not in second
    assert client.get(following.replace("mfa=off&", "")).status_code == 422  # a cursor of another list


def _token(client):
    from tests.web.conftest import csrf_from

    return csrf_from(client.get("/stock"))


def test_partners_cannot_reach_the_caseload_and_advocates_see_only_theirs(client, world, make_participant):
    theirs = make_participant(advocate=another_advocate())
    sign_in(client, "partner@test.example")
    assert client.get("/participants?show=data_ends_30").status_code == 403
    sign_in(client, "advocate@test.example")
    assert theirs.reference not in client.get("/participants?show=no_assessment").get_data(as_text=True)
