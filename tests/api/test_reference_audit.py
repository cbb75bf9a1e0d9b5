"""Every edit, deactivation and reactivation of reference data writes one audit row in its own transaction
(who, when, which record, each changed field's old and new value); a refused change writes none. Admins read
the rows through the API and on /admin/reference-changes."""

from __future__ import annotations

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import ReferenceChange
from tests.web.conftest import sign_in


def rows() -> list[tuple]:
    db.session.rollback()  # see what the requests committed
    return [
        (r.kind, r.code, r.action.value, r.user_id, r.changes, r.note)
        for r in db.session.scalars(sa.select(ReferenceChange).order_by(ReferenceChange.id))
    ]


def test_an_api_edit_of_a_programme_writes_its_row_and_admins_read_it(client, world):
    admin = world.headers["admin"]
    r = client.patch("/api/v1/programmes/hiw", json={"pass_mark": 80, "reminder_days": [14, 3]}, headers=admin)
    assert r.status_code == 200
    assert rows() == [
        (
            "programme",
            "HIW",
            "changed",
            world.admin.id,
            {"pass_mark": [70, 80], "reminder_days": [[30, 7, 0], [14, 3]]},
            None,
        )
    ]
    # The same values again: nothing changed, no row.
    assert client.patch("/api/v1/programmes/hiw", json={"pass_mark": 80}, headers=admin).status_code == 200
    assert len(rows()) == 1
    listed = client.get("/api/v1/reference-changes?kind=programme&code=hiw", headers=admin)
    assert listed.status_code == 200
    [row] = listed.json
    assert row["user"] == "admin@test.example" and row["action"] == "changed" and row["code"] == "HIW"
    assert row["changes"]["pass_mark"] == [70, 80]
    assert client.get("/api/v1/reference-changes?kind=location", headers=admin).json == []
    assert client.get("/api/v1/reference-changes?kind=person", headers=admin).status_code == 422
    for role in ("warehouse", "advocate", "partner"):
        assert client.get("/api/v1/reference-changes", headers=world.headers[role]).status_code == 403


def test_a_refused_edit_writes_no_row(client, world):
    admin = world.headers["admin"]
    r = client.patch("/api/v1/programmes/hiw", json={"pass_mark": 170}, headers=admin)
    assert r.status_code == 422
    r = client.patch(
        "/api/v1/kit-templates/DII-TABLET", json={"contents": [{"type": "sofa", "count": 1}]}, headers=admin
    )
    assert r.status_code == 422
    assert rows() == []


def test_deactivating_and_reactivating_write_rows_and_a_refusal_writes_none(client, world, make_asset):
    admin = world.headers["admin"]
    make_asset("tablet", location="HUB-B")
    assert client.post("/api/v1/locations/HUB-B/deactivate", headers=admin).status_code == 409  # it holds a tablet
    assert rows() == []
    assert client.post("/api/v1/locations/BUS-1/deactivate", headers=admin).status_code == 200
    assert client.post("/api/v1/locations/BUS-1/deactivate", headers=admin).status_code == 200  # again: no change
    assert client.post("/api/v1/locations/BUS-1/reactivate", headers=admin).status_code == 200
    # An organisation deactivated with its partner users says so.
    assert client.post("/api/v1/locations/HUB-A/deactivate", headers=admin).status_code == 200
    assert client.post("/api/v1/organisations/PARTNER-A/deactivate", headers=admin).status_code == 200
    partner = world.people["partner"].user.id
    assert rows() == [
        ("location", "BUS-1", "deactivated", world.admin.id, {"active": [True, False]}, None),
        ("location", "BUS-1", "reactivated", world.admin.id, {"active": [False, True]}, None),
        ("location", "HUB-A", "deactivated", world.admin.id, {"active": [True, False]}, None),
        (
            "organisation",
            "PARTNER-A",
            "deactivated",
            world.admin.id,
            {"active": [True, False]},
            f"partner users {partner} deactivated with it",
        ),
    ]


def test_kit_template_edits_keep_the_old_and_new_contents(client, world):
    r = client.patch(
        "/api/v1/kit-templates/dii-tablet",
        json={"contents": [{"type": "tablet", "count": 1}, {"type": "router", "count": 1}]},
        headers=world.headers["admin"],
    )
    assert r.status_code == 200
    [(kind, code, action, user, changes, _)] = rows()
    assert (kind, code, action, user) == ("kit-template", "DII-TABLET", "changed", world.admin.id)
    assert changes == {"contents": [{"tablet": 1, "sim": 1}, {"tablet": 1, "router": 1}]}


def test_page_edits_write_rows_and_the_admin_page_shows_them(client, world):
    sign_in(client, "admin@test.example")
    from tests.web.conftest import csrf_from

    token = csrf_from(client.get("/admin/locations/HUB-A/edit"))
    done = client.post(
        "/admin/locations/HUB-A/edit",
        data={
            "csrf_token": token,
            "name": "North End Library",
            "kind": "hub",
            "area": "Liverpool",
            "organisation": "PARTNER-A",
        },
    )
    assert done.status_code == 302
    refused = client.post(
        "/admin/organisations/PARTNER-B/edit", data={"csrf_token": token, "name": ""}
    )  # a name is needed: refused beside the field
    assert refused.status_code == 422
    assert rows() == [
        ("location", "HUB-A", "changed", world.admin.id, {"name": ["North End", "North End Library"]}, None)
    ]
    page = client.get("/admin/reference-changes")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Location HUB-A" in text and "North End → North End Library" in text and "admin@test.example" in text
    assert "Changes to programmes" in client.get("/admin").get_data(as_text=True)
    assert "Nothing recorded that matches" in client.get("/admin/reference-changes?kind=programme").get_data(
        as_text=True
    )
    assert client.get("/admin/reference-changes?kind=person").status_code == 422


def _one_row(client, world) -> None:
    assert (
        client.patch("/api/v1/programmes/hiw", json={"pass_mark": 75}, headers=world.headers["admin"]).status_code
        == 200
    )


def test_the_orm_refuses_to_change_or_delete_a_row(client, world):
    import pytest

    _one_row(client, world)
    row = db.session.scalar(sa.select(ReferenceChange))
    row.code = "DII"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(ReferenceChange)))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    assert len(rows()) == 1


def test_the_database_refuses_update_and_delete(client, world):
    """Whoever holds a connection (PostgreSQL: a trigger; SQLite: triggers that RAISE(ABORT))."""
    import pytest

    _one_row(client, world)
    db.session.remove()
    for statement in ("UPDATE reference_changes SET code = 'DII'", "DELETE FROM reference_changes"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert [(kind, code) for kind, code, *_ in rows()] == [("programme", "HIW")]
