"""The scan station, server side: each scan's outcome (as JSON for scan.js, and as a page without JavaScript),
and batch actions that change every item or none."""

from __future__ import annotations

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Asset, AssetStatus, Event


def scan(client, token, code, mode="move", tags=(), template=None):
    data = {"csrf_token": token, "code": code, "mode": mode, "tags": " ".join(tags)}
    if template:
        data["template"] = template
    return client.post("/scan", data=data, headers={"Accept": "application/json"})


def stored(tag):
    db.session.expire_all()
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def test_each_kind_of_scan_is_told_apart(as_role, make_asset, make_participant, issue):
    client, token = as_role("warehouse")
    tablet, lent = make_asset("tablet", serial="R9SCAN0001"), make_asset("laptop")
    issue(make_participant(), lent.tag)
    typo = tablet.tag[:-1] + ("2" if tablet.tag[-1] != "2" else "3")
    outcomes = {
        code: scan(client, token, code, tags=tags).get_json()["row"]
        for code, tags in [
            ("r9scan0001", ()),
            (tablet.tag, (tablet.tag,)),
            (typo, ()),
            ("NOTHING-LIKE-IT", ()),
            (lent.tag, ()),
        ]
    }
    assert outcomes["r9scan0001"]["outcome"] == "ok" and outcomes["r9scan0001"]["tag"] == tablet.tag
    assert outcomes[tablet.tag]["outcome"] == "repeat"
    assert outcomes[typo]["outcome"] == "mistyped" and "check character" in outcomes[typo]["message"]
    assert outcomes["NOTHING-LIKE-IT"]["outcome"] == "unknown"
    assert outcomes[lent.tag]["outcome"] == "wrong_state"
    assert outcomes[lent.tag]["message"] == f"{lent.tag} (laptop) is on loan, so it cannot be moved"
    # In "look up" mode nothing is the wrong state.
    assert scan(client, token, lent.tag, mode="look").get_json()["row"]["outcome"] == "ok"


def test_without_javascript_the_batch_travels_in_the_form(as_role, make_asset):
    client, token = as_role("warehouse")
    first, second = make_asset("chair"), make_asset("desk")
    page = client.post("/scan", data={"csrf_token": token, "code": second.tag, "mode": "move", "tags": first.tag})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'name="tags" value="{first.tag} {second.tag}"' in html
    assert 'data-outcome="ok"' in html


def test_kit_progress_says_what_the_template_still_needs(as_role, make_asset):
    client, token = as_role("warehouse")
    tablet = make_asset("tablet")
    body = scan(client, token, tablet.tag, mode="kit", template="DII-TABLET").get_json()
    assert body["progress"] == {"template": "DII-TABLET", "missing": {"sim": 1}, "extra": {}, "complete": False}


def test_a_batch_move_is_all_or_nothing(as_role, make_asset, make_participant, issue):
    client, token = as_role("warehouse")
    chair, desk, lent = make_asset("chair"), make_asset("desk"), make_asset("tablet")
    issue(make_participant(), lent.tag)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    refused = client.post(
        "/scan/batch",
        data={"csrf_token": token, "mode": "move", "location": "HUB-A", "tags": f"{chair.tag} {desk.tag} {lent.tag}"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "1 of 3 items cannot be moved; nothing was changed" in html
    assert f"{lent.tag}: " in html.split("govuk-error-summary__list")[1]  # named in the summary
    assert stored(chair.tag).location.code == "WH-MAIN" and stored(desk.tag).location.code == "WH-MAIN"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events
    # The list is still there to take the refused item out and go again.
    assert f'name="tags" value="{chair.tag} {desk.tag}"' in html

    moved = client.post(
        "/scan/batch",
        data={"csrf_token": token, "mode": "move", "location": "HUB-A", "tags": f"{chair.tag} {desk.tag}"},
    )
    assert moved.status_code == 302
    assert stored(chair.tag).location.code == "HUB-A" and stored(desk.tag).location.code == "HUB-A"


def test_restock_after_a_wipe_and_receive_returns(as_role, make_asset, make_participant, issue):
    client, token = as_role("warehouse")
    tablet, sim = make_asset("tablet"), make_asset("sim")
    issue(make_participant(), tablet.tag, sim.tag)
    received = client.post(
        "/scan/batch",
        data={"csrf_token": token, "mode": "return", "location": "WH-MAIN", "tags": f"{tablet.tag} {sim.tag}"},
    )
    assert received.status_code == 302
    assert stored(tablet.tag).status == AssetStatus.QUARANTINE == stored(sim.tag).status
    no_wipe = client.post(
        "/scan/batch", data={"csrf_token": token, "mode": "restock", "tags": f"{tablet.tag} {sim.tag}"}
    )
    assert no_wipe.status_code == 409 and "give the certificate of its data wipe" in no_wipe.get_data(as_text=True)
    assert stored(sim.tag).status == AssetStatus.QUARANTINE  # the SIM could have gone back alone: it did not
    done = client.post(
        "/scan/batch",
        data={"csrf_token": token, "mode": "restock", "wipe_certificate": "WIPE-77", "tags": f"{tablet.tag} {sim.tag}"},
    )
    assert done.status_code == 302
    assert stored(tablet.tag).status == AssetStatus.IN_STOCK and stored(tablet.tag).wipe_certificate == "WIPE-77"


def test_labels_for_the_scanned_batch_are_a_pdf(as_role, make_asset):
    client, token = as_role("warehouse")
    tags = [make_asset("chair").tag, make_asset("desk").tag]
    sheet = client.post(
        "/scan/batch",
        data={"csrf_token": token, "mode": "labels", "sheet": "L7160", "start_position": "2", "tags": " ".join(tags)},
    )
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    assert sheet.headers["Content-Disposition"] == 'attachment; filename="labels-L7160-2.pdf"'
    assert all(stored(t).label_printed_at is not None for t in tags)


def test_the_scan_station_is_for_warehouse_staff_and_admins(as_role):
    client, token = as_role("advocate")
    assert client.get("/scan").status_code == 403
    assert client.post("/scan/batch", data={"csrf_token": token, "mode": "move", "tags": "X"}).status_code == 403


def test_a_scan_costs_the_same_however_long_the_batch(as_role, make_asset):
    """scan.js keeps the batch on the page: each scan looks up the new code only, not every item again."""
    from inventory.extensions import db as database

    client, token = as_role("warehouse")
    batch = [make_asset("chair").tag for _ in range(30)]
    tablet, sim = make_asset("tablet"), make_asset("sim")
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    def statements_for(tags, code):
        statements.clear()
        sa.event.listen(database.engine, "before_cursor_execute", count)
        try:
            body = scan(client, token, code, mode="kit", tags=tags, template="DII-TABLET").get_json()
        finally:
            sa.event.remove(database.engine, "before_cursor_execute", count)
        assert body["row"]["outcome"] == "ok"
        return len(statements), body["progress"]

    statements_for([], tablet.tag)  # the first request of a session loads a little more; compare warm ones
    short, _ = statements_for([tablet.tag], sim.tag)
    long, progress = statements_for([tablet.tag] + batch, sim.tag)
    assert long == short
    assert progress["missing"] == {} and progress["extra"] == {"chair": 30}
