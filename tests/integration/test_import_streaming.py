"""Imports checked and stored a batch at a time: big files counted exactly, refused whole wherever the
bad row is, one event and one valid tag per asset, and two imports at once leaving one delivery."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests
import sqlalchemy as sa

from inventory.errors import Conflict, DomainError
from inventory.extensions import db, unit_of_work
from inventory.identifiers import luhn_ok
from inventory.models import Asset, Delivery, Event, Location, StockCount, User
from inventory.services import counts, receiving
from inventory.services.receiving import BATCH_ROWS, ManifestRejected
from inventory.tags import is_valid
from tests.conftest import wait_for_a_lock_wait

HEADER = "type,make,model,serial,imei,iccid,msisdn,network,data_allowance_gb,condition,wipe_certificate,location\n"
LOCATIONS = ("WH-MAIN", "HUB-A", "BUS-1")


def _luhn(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


_NUMBERS = {"": 0, "A": 1, "B": 2}  # keeps each file's IMEIs and ICCIDs apart


def row(n: int, *, prefix: str = "", location: str | None = None) -> str:
    """Row n of a delivery: tablets with wipe certificates (in stock), laptops without (received), SIMs
    and chairs, at three places. Identifiers are unique per (prefix, n)."""
    where = location or LOCATIONS[n % 3]
    serial = f"{prefix}S{n:08d}"
    kind = n % 4
    if kind == 0:
        imei = _luhn(f"35{_NUMBERS[prefix]}{n:011d}")
        return f"tablet,Samsung,Tab A9,{serial},{imei},,,,,A,WIPE-{n},{where}\n"
    if kind == 1:
        return f"laptop,Dell,Latitude 5400,{serial},,,,,,B,,{where}\n"
    if kind == 2:
        iccid = _luhn(f"894410{_NUMBERS[prefix]}{n:011d}")
        return f"sim,Vodafone,Data SIM,,,{iccid},077{n:08d},Vodafone,20,,,{where}\n"
    return f"chair,ReUse,Office chair,{serial},,,,,,C,,{where}\n"


def manifest(rows: int, *, prefix: str = "", replace: dict[int, str] | None = None) -> bytes:
    """`rows` rows; `replace` puts other text on some rows, by the row number a spreadsheet shows."""
    replace = replace or {}
    lines = [replace.get(n + 2) or row(n, prefix=prefix) for n in range(rows)]
    return (HEADER + "".join(lines)).encode()


def scalar(query):
    return db.session.scalar(query)


def count(model) -> int:
    return scalar(sa.select(sa.func.count()).select_from(model))


def test_a_big_import_stores_every_row_with_its_event_a_valid_tag_and_exact_counts(world):
    rows = 3 * BATCH_ROWS + 500  # three whole batches and a part
    with unit_of_work():
        result = receiving.import_manifest(manifest(rows), world.warehouse)
    assert result.created == rows and result.checked == rows

    # Every asset has one "receive" event, into its own place and status, by the warehouse user.
    events = db.session.execute(
        sa.select(Asset.tag, Asset.status, Asset.location_id, Event.action, Event.to_status, Event.to_location_id)
        .join(Event, Event.asset_id == Asset.id)
        .where(Event.actor_id == world.warehouse.id)
    ).all()
    assert len(events) == rows == count(Event) == count(Asset)
    assert all(details == {"batch": result.batch} for details in db.session.scalars(sa.select(Event.details)))
    assert all(
        action == "receive" and to_status == status.value and to_location == location
        for _, status, location, action, to_status, to_location in events
    )
    # Tags: one per asset, each drawn from the counter (valid check character), none twice.
    tags = [tag for tag, *_ in events]
    assert sorted(tags) == sorted(result.tags) and len(set(tags)) == rows
    assert all(is_valid(tag) for tag in tags)

    # The kept stock counts are what the file says, and a recount agrees.
    expected: Counter = Counter()
    for n in range(rows):
        kind = ("tablet", "laptop", "sim", "chair")[n % 4]
        status = "received" if kind == "laptop" else "in_stock"
        expected[(LOCATIONS[n % 3], kind, status)] += 1
    codes = dict(db.session.execute(sa.select(Location.id, Location.code)).all())
    kept = {
        (codes[location], kind, status): number
        for location, kind, status, number in db.session.execute(
            sa.select(StockCount.location_id, StockCount.type, StockCount.status, StockCount.count)
        )
        if number
    }
    assert kept == dict(expected)
    assert counts.differences() == []
    delivery = db.session.scalars(sa.select(Delivery)).one()
    assert (delivery.batch, delivery.assets) == (result.batch, rows)


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        ("chair,ReUse,Office chair,X1,,,,,,C,,NOWHERE\n", "location", "unknown location 'NOWHERE'"),
        (row(0), "serial", "serial S00000000 (make samsung) is also on row 2"),  # row 2's tablet again
    ],
)
def test_a_bad_row_at_row_9999_stores_nothing_of_the_rows_before_it(world, bad, column, message):
    data = manifest(10_000, replace={9999: bad})
    with pytest.raises(ManifestRejected) as refused:
        receiving.import_manifest(data, world.warehouse)
    assert refused.value.errors[0] == {"row": 9999, "column": column, "message": message}
    assert refused.value.message == "1 row with errors; nothing was imported"
    # Nine batches were stored before row 9,999 was read: the service itself took them back out,
    # whoever calls it, with their counts.
    assert count(Asset) == count(Event) == count(Delivery) == 0
    assert db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockCount.count), 0))) == 0
    db.session.commit()
    assert count(Asset) == 0 and counts.differences() == []


def test_a_file_longer_than_the_limit_stores_nothing_though_its_first_batches_were_good(world):
    data = manifest(BATCH_ROWS + 200)
    with pytest.raises(ManifestRejected) as refused:
        receiving.import_manifest(data, world.warehouse, max_rows=BATCH_ROWS + 100)
    assert refused.value.errors == [
        {
            "row": BATCH_ROWS + 102,
            "column": None,
            "message": f"the file has more than {BATCH_ROWS + 100} rows; split it into smaller files",
        }
    ]
    db.session.commit()
    assert count(Asset) == count(Event) == 0


def test_a_big_body_is_read_from_disk_and_imported(client, world):
    """More than a megabyte: the API spools it to a temporary file and reads it a row at a time."""
    data = manifest(18_000)
    assert len(data) > 1024 * 1024
    r = client.post("/api/v1/assets/import", data=data, content_type="text/csv", headers=world.headers["warehouse"])
    assert r.status_code == 201, r.json
    assert r.json["created"] == 18_000 and len(set(r.json["tags"])) == 18_000
    assert count(Asset) == count(Event) == 18_000


@pytest.mark.slow
def test_two_imports_at_once_with_one_serial_in_common_give_one_success_and_a_refusal_naming_the_row(
    live_server, world
):
    rows = 2 * BATCH_ROWS + 300
    first = manifest(rows, prefix="A")
    # The second file's row 2,100 is the first file's row 150 (the same maker's serial).
    second = manifest(rows, prefix="B", replace={2100: row(148, prefix="A", location="HUB-B")})
    headers = {**world.headers["warehouse"], "Content-Type": "text/csv"}
    barrier = threading.Barrier(2)

    def post(data):
        barrier.wait()
        return requests.post(f"{live_server}/api/v1/assets/import", data=data, headers=headers, timeout=120)

    answers: dict[str, requests.Response] = {}
    threads = [
        threading.Thread(target=lambda n=n, d=d: answers.__setitem__(n, post(d)))
        for n, d in (("first", first), ("second", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [201, 422], {n: a.text[:300] for n, a in answers.items()}
    winner = next(n for n, a in answers.items() if a.status_code == 201)
    loser = answers["second" if winner == "first" else "first"].json()
    # The refusal names the row of the loser's file that holds the shared serial.
    shared_row = 2100 if winner == "first" else 150
    assert {"row": shared_row, "column": "serial", "message": "serial AS00000148 (make samsung) is already stored"} in (
        loser["errors"]
    ), loser
    db.session.rollback()
    stored = set(db.session.scalars(sa.select(Asset.tag)))
    assert stored == set(answers[winner].json()["tags"]) and len(stored) == rows == count(Event)
    assert db.session.execute(sa.select(Delivery.batch, Delivery.assets)).one() == (
        answers[winner].json()["batch"],
        rows,
    )


@pytest.mark.slow
@pytest.mark.parametrize("make", ["ReUse", "REUSE"])
def test_a_serial_stored_between_the_check_and_the_insert_is_refused_naming_its_row(app, world, make):
    """The race itself: another transaction holds the same serial, uncommitted, while the import checks
    (and sees nothing) and inserts (and waits on the unique index); it commits, and the import is
    refused by the constraint, rechecks, and names the row. On SQLite writers queue instead, so the
    import checks after the other commits and names the same row. The maker's name written in another
    case is the same maker: the unique index is on the lower-case name, so the import waits all the same."""
    holding, release = threading.Event(), threading.Event()
    warehouse_id = world.warehouse.id  # ORM objects stay in this thread's session
    raw = {"type": "chair", "make": make, "model": "Office chair", "serial": "S00001503", "location": "WH-MAIN"}

    def other():
        with app.app_context():
            with unit_of_work():
                receiving.receive_one(raw, db.session.get(User, warehouse_id))
                holding.set()
                release.wait(60)
            db.session.remove()

    def importer():
        with app.app_context():
            try:
                with unit_of_work():
                    return receiving.import_manifest(manifest(2 * BATCH_ROWS), db.session.get(User, warehouse_id))
            except ManifestRejected as refused:
                return refused
            finally:
                db.session.remove()

    outcome: list = []
    holder = threading.Thread(target=other)
    holder.start()
    assert holding.wait(60)
    worker = threading.Thread(target=lambda: outcome.append(importer()))
    worker.start()
    if db.engine.dialect.name == "postgresql":
        wait_for_a_lock_wait("the import")  # the import has checked, and its insert waits on the held serial
    release.set()
    holder.join()
    worker.join()
    refused = outcome[0]
    assert isinstance(refused, ManifestRejected), refused
    # Row 1,505 of the file is row n=1503: a chair (1503 % 4 == 3) whose serial is S00001503.
    assert refused.errors == [
        {"row": 1505, "column": "serial", "message": "serial S00001503 (make reuse) is already stored"}
    ]
    db.session.rollback()
    assert count(Asset) == count(Event) == 1  # the other's chair, nothing of the import


@pytest.mark.slow
def test_crossed_serials_that_deadlock_end_in_one_stored_and_one_clear_refusal(app, world):
    """PostgreSQL only (SQLite has one writer at a time): another transaction holds serial B uncommitted;
    the import stores serial A in its first batch, then waits on B in its second; the other then asks
    for A and waits on the import. PostgreSQL ends one of them: whichever it is, it is refused with a
    domain error (409 or 422), not a 500, and the other is stored."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite queues writers: no two transactions hold rows at once")
    warehouse_id = world.warehouse.id
    holding, go_on = threading.Event(), threading.Event()
    chair = {"type": "chair", "make": "ReUse", "model": "Office chair", "location": "WH-MAIN"}
    outcome: dict[str, object] = {}

    def other():
        with app.app_context():
            try:
                with unit_of_work():
                    receiving.receive_one({**chair, "serial": "S00001503"}, db.session.get(User, warehouse_id))
                    holding.set()
                    go_on.wait(60)
                    receiving.receive_one({**chair, "serial": "S00000003"}, db.session.get(User, warehouse_id))
                outcome["other"] = "stored"
            except DomainError as refused:
                outcome["other"] = refused
            finally:
                db.session.remove()

    def importer():
        with app.app_context():
            try:
                with unit_of_work():
                    receiving.import_manifest(manifest(2 * BATCH_ROWS), db.session.get(User, warehouse_id))
                outcome["import"] = "stored"
            except DomainError as refused:
                outcome["import"] = refused
            finally:
                db.session.remove()

    holder = threading.Thread(target=other)
    holder.start()
    assert holding.wait(60)
    worker = threading.Thread(target=importer)
    worker.start()
    wait_for_a_lock_wait("the import")  # the import's second batch waits on the held serial
    go_on.set()
    holder.join()
    worker.join()
    assert sorted(o == "stored" for o in outcome.values()) == [False, True], outcome
    db.session.rollback()
    if outcome["import"] == "stored":
        assert count(Asset) == count(Event) == 2 * BATCH_ROWS
        assert isinstance(outcome["other"], Conflict)
    else:
        assert count(Asset) == count(Event) == 2
        assert isinstance(outcome["import"], ManifestRejected)
        assert outcome["import"].errors[0]["row"] in (1002, 1505)  # its second batch, or the serial's row
