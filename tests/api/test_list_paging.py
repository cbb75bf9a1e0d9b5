"""The participants and the outbox page by cursor, as the asset list does: every row once, in order,
however deep; a cursor from another list or with other filters is refused; counts stop at 10,000."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from inventory.extensions import db, unit_of_work
from inventory.models import AccessLogEntry, Notification, NotificationKind, NotificationStatus


def _follow(client, url: str, headers: dict) -> tuple[list[dict], list]:
    pages, rows = [], []
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.json
        pages.append(answer)
        rows += answer.json
        link = answer.headers.get("Link")
        url = link[1 : link.index(">")].replace("http://localhost", "") if link else None
    return rows, pages


def test_participants_page_by_cursor_to_the_end(client, world, make_participant):
    made = [make_participant().id for _ in range(7)]
    rows, pages = _follow(client, "/api/v1/participants?page_size=3", world.headers["advocate"])
    assert [r["id"] for r in rows] == made
    assert len(pages) == 3
    assert "X-Pagination" in pages[0].headers and "X-Pagination" not in pages[1].headers
    assert "X-Next-Cursor" not in pages[-1].headers
    # Each page shown is in the access log, one row per participant shown.
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry)) == 7
    cursor = pages[0].headers["X-Next-Cursor"]
    other = client.get(f"/api/v1/participants?cursor={cursor}&area=Wirral", headers=world.headers["advocate"])
    assert other.status_code == 422 and "other filters" in other.json["message"]
    made_up = client.get("/api/v1/participants?cursor=eyJhZnRlciI6MX0", headers=world.headers["advocate"])
    assert made_up.status_code == 422 and "not one this list gave out" in made_up.json["message"]
    foreign = client.get(f"/api/v1/notifications?cursor={cursor}", headers=world.headers["advocate"])
    assert foreign.status_code == 422


def test_the_outbox_pages_newest_first_by_cursor(client, world):
    with unit_of_work():
        for n in range(5):
            db.session.add(
                Notification(
                    key=f"digest:{n}",
                    kind=NotificationKind.ADVOCATE_DIGEST,
                    channel="email",
                    status=NotificationStatus.QUEUED,
                    due_on=date(2026, 11, 22),
                    advocate_id=world.people["advocate"].user.id,
                )
            )
    rows, pages = _follow(client, "/api/v1/notifications?page_size=2", world.headers["advocate"])
    ids = [r["id"] for r in rows]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)
    assert len(pages) == 3
    assert client.get("/api/v1/notifications?page_size=2", headers=world.headers["admin"]).json[0]["id"] == ids[0]
