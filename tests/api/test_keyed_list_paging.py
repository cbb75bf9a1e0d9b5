"""The lists sorted by more than their id page by a cursor over (sort key, id): data plans by end date,
the access log newest first, users by email. Every row once, in order, across pages whose rows share a
key; a cursor edited, made up or carried to other filters is a 422."""

from __future__ import annotations

from datetime import timedelta

from inventory.extensions import unit_of_work
from inventory.models import AccessAction, AccessChannel
from inventory.services import access_log, users
from tests.api.test_list_paging import _follow
from tests.conftest import TODAY


def _tampered(cursor: str) -> str:
    return cursor[:-2] + ("xy" if not cursor.endswith("xy") else "zw")


def test_data_plans_page_by_end_date_then_id(client, world, make_participant, make_asset, issue):
    for n in range(7):
        # Pairs of plans end on the same day: the id settles their order.
        issue(make_participant(), make_asset("sim").tag, issued_on=TODAY - timedelta(days=n // 2))
    headers = world.headers["advocate"]
    everything = client.get("/api/v1/data-plans?page_size=100", headers=headers).json
    rows, pages = _follow(client, "/api/v1/data-plans?page_size=3", headers)
    assert len(pages) == 3 and [r["id"] for r in rows] == [r["id"] for r in everything]
    assert [r["ends_on"] for r in rows] == sorted(r["ends_on"] for r in rows)
    cursor = pages[0].headers["X-Next-Cursor"]
    assert client.get(f"/api/v1/data-plans?cursor={_tampered(cursor)}", headers=headers).status_code == 422
    assert client.get(f"/api/v1/data-plans?status=ended&cursor={cursor}", headers=headers).status_code == 422
    assert client.get(f"/api/v1/users?cursor={cursor}", headers=world.headers["admin"]).status_code == 422
    # The first pages by number still work as before.
    second = client.get("/api/v1/data-plans?page_size=3&page=2", headers=headers)
    assert [r["id"] for r in second.json] == [r["id"] for r in everything[3:6]]


def test_the_access_log_pages_newest_first_through_rows_that_share_a_moment(client, world, make_participant):
    people = [make_participant() for _ in range(5)]
    with unit_of_work():  # one list shown: five rows written at one moment
        access_log.record(world.admin, AccessAction.LISTED, [p.id for p in people], "participants", AccessChannel.API)
    headers = world.headers["admin"]
    everything = client.get("/api/v1/access-log?page_size=100", headers=headers).json
    rows, pages = _follow(client, "/api/v1/access-log?page_size=2", headers)
    assert len(rows) == len(everything) == 5 and len(pages) == 3
    assert rows == everything and len({r["at"] for r in rows}) == 1
    cursor = pages[1].headers["X-Next-Cursor"]
    assert client.get(f"/api/v1/access-log?cursor={_tampered(cursor)}", headers=headers).status_code == 422
    moved = client.get(f"/api/v1/access-log?participant={people[0].id}&cursor={cursor}", headers=headers)
    assert moved.status_code == 422


def test_users_page_by_email(client, world):
    with unit_of_work():
        for n in range(5):
            users.create_user(f"z{n}@test.example", "warehouse", password="correct horse battery")
    headers = world.headers["admin"]
    rows, pages = _follow(client, "/api/v1/users?page_size=4", headers)
    emails = [r["email"] for r in rows]
    assert len(pages) == 3 and len(emails) == 9 and emails == sorted(emails)
    cursor = pages[0].headers["X-Next-Cursor"]
    assert client.get(f"/api/v1/users?cursor={_tampered(cursor)}", headers=headers).status_code == 422
    assert client.get("/api/v1/users", headers=world.headers["advocate"]).status_code == 403
