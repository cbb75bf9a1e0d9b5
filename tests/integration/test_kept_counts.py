"""The kept counts (stock by location, type and status; ready kits by template; deliveries' labels) agree
with a recount after every kind of change, refused ones and concurrent ones included, and the check and
repair find and put right a change made behind the models' back.

(Every other test checks the agreement too, when it ends: tests/conftest.py.)"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from inventory.errors import Conflict
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, Delivery, KitCount, StockCount
from inventory.services import assessments, batches, counts, kits, labels, lifecycle, receiving, returns, stock
from tests.conftest import SAMPLES, TODAY, at_once


def _kept_stock() -> dict[tuple[str, str, str], int]:
    with unit_of_work(write=False):
        return {
            (row["location"], row["type"], row["status"]): row["count"] for row in stock.stock_counts(_admin())["rows"]
        }


def _admin():
    from inventory.models import Role, User

    return db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))


def _agree() -> None:
    with unit_of_work(write=False):
        assert counts.differences() == []


def test_every_kind_of_change_moves_the_counts_with_it(world, make_asset, make_participant, issue):
    tablet, sim = make_asset("tablet"), make_asset("sim")
    assert _kept_stock() == {("WH-MAIN", "sim", "in_stock"): 1, ("WH-MAIN", "tablet", "in_stock"): 1}

    with unit_of_work():
        kit = kits.build_kit([tablet.tag, sim.tag], world.warehouse, template="DII-TABLET")
        kit_tag = kit.tag
    assert _kept_stock() == {("WH-MAIN", "sim", "in_kit"): 1, ("WH-MAIN", "tablet", "in_kit"): 1}
    with unit_of_work(write=False):
        answer = stock.stock_counts(world.admin)
    assert answer["kits"] == [{"location": "WH-MAIN", "template": "DII-TABLET", "count": 1}]
    assert answer["network_kits_available"] == [{"template": "DII-TABLET", "count": 1}]

    with unit_of_work():
        kits.move_kit(kit_tag, "HUB-A", world.warehouse)
    assert _kept_stock() == {("HUB-A", "sim", "in_kit"): 1, ("HUB-A", "tablet", "in_kit"): 1}
    _agree()

    person = make_participant()
    loan = issue(person, kit_tag)
    with unit_of_work(write=False):
        assert stock.stock_counts(world.admin)["kits"] == []  # on loan: no longer ready
    assert _kept_stock() == {}  # on loan is not held stock

    with unit_of_work():
        returns.return_items(loan["id"], world.warehouse, items=[sim.tag], location="WH-MAIN", today=TODAY)
    assert _kept_stock() == {("WH-MAIN", "sim", "quarantine"): 1}
    with unit_of_work():
        lifecycle.repair(sim.tag, world.warehouse)
        lifecycle.restock(sim.tag, world.warehouse)
    assert _kept_stock() == {("WH-MAIN", "sim", "in_stock"): 1}
    with unit_of_work():
        assessments.record(
            participant_id=person.id,
            score=20,
            max_score=20,
            taken_on=TODAY,
            venue="classroom",
            actor=world.people["advocate"].user,
            today=TODAY,
        )
    with unit_of_work():
        lifecycle.retire(sim.tag, world.warehouse, reason="recycled")
    assert _kept_stock() == {}
    with unit_of_work(write=False):
        kept = {(r.type, r.status): r.count for r in db.session.scalars(sa.select(StockCount)) if r.count}
    assert kept == {("tablet", "owned"): 1, ("sim", "retired"): 1}
    _agree()


def test_a_refused_batch_leaves_the_counts_as_they_were(world, make_asset):
    moved, stuck = make_asset("tablet"), make_asset("tablet")
    with unit_of_work():
        lifecycle.retire(stuck.tag, world.warehouse, reason="lost")
    before = _kept_stock()
    with pytest.raises(Conflict), unit_of_work():
        batches.apply("move", [moved.tag, stuck.tag], world.warehouse, today=TODAY, location="HUB-B")
    assert _kept_stock() == before
    _agree()


def test_a_savepoint_rolled_back_takes_its_changes_out_of_the_counts(world, make_asset):
    tablet, other = make_asset("tablet"), make_asset("tablet")
    with unit_of_work():
        lifecycle.move(other.tag, "HUB-B", world.warehouse)
        try:
            with db.session.begin_nested():
                lifecycle.move(tablet.tag, "HUB-A", world.warehouse)
                db.session.flush()
                raise RuntimeError("undo this part only")
        except RuntimeError:
            pass
    assert _kept_stock() == {("HUB-B", "tablet", "in_stock"): 1, ("WH-MAIN", "tablet", "in_stock"): 1}
    _agree()


def test_an_import_writes_its_delivery_and_printing_its_labels_counts_them(world):
    with unit_of_work():
        result = receiving.import_manifest((SAMPLES / "delivery-tablets.csv").read_bytes(), world.warehouse)
    with unit_of_work(write=False):
        delivery = db.session.scalar(sa.select(Delivery).where(Delivery.batch == result.batch))
        assert (delivery.assets, delivery.labelled) == (300, 0)
    first = sorted(result.tags)[:10]
    with unit_of_work():
        labels.zpl_batch(
            labels.select(tags=first), base_url="https://kit.example.org", zpl_size=(50.8, 25.4), zpl_dpi=203
        )
    with unit_of_work():  # a reprint of some of them counts nothing new
        labels.zpl_batch(
            labels.select(tags=first[:3]), base_url="https://kit.example.org", zpl_size=(50.8, 25.4), zpl_dpi=203
        )
    with unit_of_work(write=False):
        assert db.session.scalar(sa.select(Delivery.labelled).where(Delivery.batch == result.batch)) == 10
    _agree()


def test_the_check_finds_a_change_behind_the_models_back_and_the_repair_puts_it_right(world, make_asset):
    tablet = make_asset("tablet")
    with unit_of_work():
        db.session.execute(sa.update(Asset).where(Asset.id == tablet.id).values(status="repair"))
    with unit_of_work(write=False):
        wrong = counts.differences()
    assert {(d.key[1:], d.kept, d.counted) for d in wrong} == {
        (("tablet", "in_stock"), 1, 0),
        (("tablet", "repair"), 0, 1),
    }
    with unit_of_work():
        assert len(counts.repair()) == 2
    assert _kept_stock() == {("WH-MAIN", "tablet", "repair"): 1}
    _agree()


def test_the_check_finds_a_last_day_changed_behind_the_models_back_and_the_repair_puts_it_right(
    world, make_asset, make_participant, issue
):
    """Participants' last days of involvement are kept like the counts: a return's date changed by hand,
    and a kept day lost, are listed by the check and set from the rows by the repair."""
    from datetime import timedelta

    from inventory.models import LastInvolved, LoanItem

    dated, lost = make_participant(), make_participant()
    for person, issued, back in ((dated, 10, 3), (lost, 20, 5)):
        loan = issue(person, make_asset("chair").tag, issued_on=TODAY - timedelta(days=issued))
        with unit_of_work():
            returns.return_items(loan["id"], world.warehouse, location="WH-MAIN", today=TODAY - timedelta(days=back))
        if person is dated:
            item_id = db.session.scalar(sa.select(LoanItem.id).where(LoanItem.loan_id == loan["id"]))
    with unit_of_work():
        db.session.execute(
            sa.update(LoanItem).where(LoanItem.id == item_id).values(returned_on=TODAY - timedelta(days=6))
        )
        db.session.execute(sa.delete(LastInvolved).where(LastInvolved.participant_id == lost.id))
    with unit_of_work(write=False):
        wrong = counts.differences()
    assert {(d.key, d.kept, d.counted) for d in wrong if d.tally == "participant_last_days"} == {
        ((dated.id,), TODAY - timedelta(days=3), TODAY - timedelta(days=6)),
        ((lost.id,), None, TODAY - timedelta(days=5)),
    }
    with unit_of_work():
        assert len(counts.repair()) == len(wrong)
    with unit_of_work(write=False):
        kept = dict(db.session.execute(sa.select(LastInvolved.participant_id, LastInvolved.day)).all())
    assert kept == {dated.id: TODAY - timedelta(days=6), lost.id: TODAY - timedelta(days=5)}
    _agree()


@pytest.mark.slow
def test_concurrent_moves_and_kits_keep_the_counts_exact(app, world, make_asset):
    """Eight workers move overlapping batches between four places in random orders, and build and take
    apart kits, all at once: every count still equals a recount, and nobody deadlocks."""
    tags = [make_asset("tablet" if n % 2 else "sim").tag for n in range(24)]
    places = ["WH-MAIN", "HUB-A", "HUB-B", "BUS-1"]

    def worker(seed: int):
        def run():
            rng = random.Random(seed)
            done = 0
            for _ in range(6):
                chosen = rng.sample(tags, 4)
                try:
                    with unit_of_work():
                        batches.apply("move", chosen, world.warehouse, today=TODAY, location=rng.choice(places))
                    done += 1
                except Conflict:
                    pass  # an item went into a kit meanwhile: refused whole, which is fine
                pair = rng.sample(tags, 2)
                try:
                    with unit_of_work():
                        kit = kits.build_kit(pair, world.warehouse)
                        kit_tag = kit.tag
                    with unit_of_work():
                        kits.dismantle_kit(kit_tag, world.warehouse)
                except Conflict:
                    pass  # the two were not together, or one was in another worker's kit
            return done

        return run

    moved = at_once([worker(seed) for seed in range(8)], app=app)
    assert sum(moved) > 0
    _agree()
    with unit_of_work(write=False):
        total = db.session.scalar(sa.select(sa.func.sum(StockCount.count)))
        dismantled = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(KitCount.count), 0)).where(KitCount.status == "dismantled")
        )
        built = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("kits")))
    assert total == 24  # every asset counted once, wherever the races left it
    assert built > 0 and dismantled <= built


def test_partners_see_ready_kits_at_their_hubs_and_across_the_network(client, world, make_asset):
    for hub in ("HUB-A", "HUB-B", "HUB-B"):
        items = [make_asset("tablet", location=hub).tag, make_asset("sim", location=hub).tag]
        with unit_of_work():
            kits.build_kit(items, world.warehouse, template="DII-TABLET")
    answer = client.get("/api/v1/stock", headers=world.headers["partner"]).get_json()
    assert answer["kits"] == [{"location": "HUB-A", "template": "DII-TABLET", "count": 1}]
    assert answer["network_kits_available"] == [{"template": "DII-TABLET", "count": 3}]
    assert {r["location"] for r in answer["rows"]} == {"HUB-A"}


def _report_row(area: str) -> dict:
    from inventory.services import reports

    with unit_of_work(write=False):
        report = reports.outcomes(today=TODAY)
    return next(r for r in report["rows"] if r["area"] == area)


def test_a_participant_who_moves_area_takes_their_figures_along(world, make_asset, make_participant, issue):
    from inventory.services import participants

    person = make_participant(area="Knowsley")
    with unit_of_work():
        kit = kits.build_kit([make_asset("tablet").tag, make_asset("sim").tag], world.warehouse)
        kit_tag = kit.tag
    issue(person, kit_tag, issued_on=TODAY)
    before = _report_row("Knowsley")
    assert (before["participants"], before["kits_issued"], before["data_plans_active"]) == (1, 1, 1)
    assert before["assets_issued"]["tablet"] == 1 and before["data_plans_ending_30_days"] == 0

    advocate = world.people["advocate"].user
    with unit_of_work():
        participants.update_participant(person.id, {"area": "Wirral"}, advocate, TODAY)
        # ... and in the same transaction, an assessment: counted once, in the new area.
        assessments.record(
            participant_id=person.id,
            score=20,
            max_score=20,
            taken_on=TODAY,
            venue="home",
            actor=advocate,
            today=TODAY,
        )
    moved, left = _report_row("Wirral"), _report_row("Knowsley")
    assert (moved["participants"], moved["kits_issued"], moved["assets_issued"]["sim"]) == (1, 1, 1)
    assert (moved["assessments_taken"], moved["ownership_transfers"], moved["assets_transferred"]) == (1, 1, 2)
    assert moved["data_plans_active"] == 1
    assert (left["participants"], left["kits_issued"], left["assets_issued"]["tablet"]) == (0, 0, 0)
    _agree()


def test_plans_count_as_live_until_their_sim_comes_back(world, make_asset, make_participant, issue):
    from datetime import timedelta

    person = make_participant(area="Sefton", programme="HIW")
    sim = make_asset("sim", programme="HIW")
    loan = issue(person, sim.tag, issued_on=TODAY - timedelta(days=40))  # two months: ends in about 20 days
    row = _report_row("Sefton")
    assert (row["data_plans_active"], row["data_plans_ending_30_days"], row["data_plans_ended"]) == (1, 1, 0)
    with unit_of_work():
        returns.return_items(loan["id"], world.warehouse, location="WH-MAIN", today=TODAY)
    row = _report_row("Sefton")
    assert (row["data_plans_active"], row["data_plans_ending_30_days"], row["data_plans_ended"]) == (0, 0, 1)
    _agree()


def test_plans_ending_within_30_days_agree_with_their_rows_on_every_day(world, make_asset, make_participant, issue):
    """The figure is kept by each open plan's last day and corrected by rows for plans that ended after
    the report's last day: on any day before, on or after those dates, it is what the plans' rows say."""
    from datetime import timedelta

    from inventory.models import DataPlan, Participant
    from inventory.services import reports

    returned = issue(
        make_participant(area="Sefton", programme="HIW"),
        make_asset("sim", programme="HIW").tag,
        issued_on=TODAY - timedelta(days=40),
    )
    issue(
        make_participant(area="Wirral", programme="HIW"),
        make_asset("sim", programme="HIW").tag,
        issued_on=TODAY - timedelta(days=55),
    )
    issue(make_participant(area="Knowsley"), make_asset("sim").tag, issued_on=TODAY - timedelta(days=170))
    issue(
        make_participant(area="Halton", programme="HIW"),
        make_asset("sim", programme="HIW").tag,
        issued_on=TODAY - timedelta(days=10),
    )
    with unit_of_work():
        returns.return_items(returned["id"], world.warehouse, location="WH-MAIN", today=TODAY)

    with unit_of_work(write=False):
        plans = db.session.execute(
            sa.select(Participant.area, DataPlan.starts_on, DataPlan.ends_on, DataPlan.ended_on).join(
                Participant, Participant.id == DataPlan.participant_id
            )
        ).all()
        assert len(plans) == 4 and sum(ended is not None for *_, ended in plans) == 1
        seen = set()
        for offset in range(-80, 60):
            day = TODAY + timedelta(days=offset)
            report = reports.outcomes(today=TODAY, date_to=day)
            got = {row["area"]: row["data_plans_ending_30_days"] for row in report["rows"]}
            wanted = {area: 0 for area in got}
            for area, starts, ends, ended in plans:
                if day <= ends <= day + timedelta(days=30) and starts <= day and (ended is None or ended > day):
                    wanted[str(area)] += 1
            assert got == wanted, day
            seen.add(wanted["Sefton"])
        assert seen == {0, 1}  # the returned plan counted on the days before its return, not after
