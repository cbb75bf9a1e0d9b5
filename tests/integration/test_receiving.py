"""Receiving deliveries: all or nothing, every bad row named, and a ledger entry per asset."""

import pytest
import sqlalchemy as sa

from inventory.errors import InvalidInput
from inventory.extensions import db
from inventory.models import Asset, AssetStatus, Event
from inventory.services import receiving
from tests.conftest import SAMPLES

HEADER = (
    "type,make,model,serial,imei,iccid,msisdn,network,data_allowance_gb,condition,wipe_certificate,programme,location\n"
)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_three_sample_deliveries_import_completely(world):
    created = {}
    for name in ("delivery-tablets.csv", "delivery-laptops-furniture.csv", "sims-vodafone.csv"):
        result = receiving.import_manifest((SAMPLES / name).read_bytes(), world.warehouse)
        created[name] = result.created
        assert len(set(result.tags)) == result.created
    assert created == {"delivery-tablets.csv": 300, "delivery-laptops-furniture.csv": 180, "sims-vodafone.csv": 300}
    assert count(Asset) == 780
    # One "receive" event per asset, by the warehouse user, into WH-MAIN.
    events = db.session.execute(sa.select(Event.action, Event.actor_id, Event.to_location_id)).all()
    assert len(events) == 780
    assert set(events) == {("receive", world.warehouse.id, world.wh.id)}


def test_stored_values_are_in_normal_form(world):
    receiving.import_manifest((SAMPLES / "sims-vodafone.csv").read_bytes(), world.warehouse)
    sim = db.session.scalar(sa.select(Asset).where(Asset.iccid == "8944102600044000003"))
    assert sim.msisdn == "+447700900000"
    assert sim.serial == "8944102600044000003"
    assert sim.data_allowance_gb == 20 and sim.network == "Vodafone"
    assert sim.programme.code == "DII" and sim.location.code == "WH-MAIN"


def test_a_file_with_bad_rows_stores_nothing_and_names_every_bad_row(world):
    good = "tablet,Samsung,Tab A9,SN-OK-1,356174125700784,,,,,A,W1,DII,WH-MAIN\n"
    data = (
        HEADER
        + good
        + (
            "phone,Samsung,Tab,SN2,,,,,,A,W2,DII,WH-MAIN\n"  # row 3: unknown type
            "tablet,Samsung,Tab,SN3,,,,,,A,W3,DII,NOWHERE\n"  # row 4: unknown location
            "tablet,Samsung,Tab,SN4,,,,,,A,W4,XYZ,WH-MAIN\n"  # row 5: unknown programme
            "tablet,,Tab,SN5,,,,,,A,W5,DII,WH-MAIN\n"  # row 6: missing make
            "tablet,Samsung,Tab,SN6,356174125700784,,,,,A,W6,DII,WH-MAIN\n"  # row 7: IMEI on row 2
            "tablet,Samsung,Tab,SN7,356174125700785,,,,,A,W7,DII,WH-MAIN\n"  # row 8: IMEI Luhn
            "sim,Vodafone,SIM,,,8944102600044000004,,,20,,,DII,WH-MAIN\n"  # row 9: ICCID Luhn
            "sim,Vodafone,SIM,,,8944102600044000003,07700900000,,lots,,,DII,WH-MAIN\n"  # row 10: not a number
            "tablet,Samsung,Tab,SN-OK-1,,,,,,A,W9,DII,WH-MAIN\n"  # row 11: serial on row 2
        )
    )
    with pytest.raises(InvalidInput) as refused:
        receiving.import_manifest(data.encode(), world.warehouse)
    errors = {(e["row"], e["column"]): e["message"] for e in refused.value.errors}
    assert "'phone' is not a type" in errors[(3, "type")]
    assert errors[(4, "location")] == "unknown location 'NOWHERE'"
    assert errors[(5, "programme")] == "unknown programme 'XYZ'"
    assert errors[(6, "make")] == "is required"
    assert errors[(7, "imei")] == "imei 356174125700784 is also on row 2"
    assert "Luhn" in errors[(8, "imei")]
    assert "Luhn" in errors[(9, "iccid")]
    assert "'lots' is not a number" in errors[(10, "data_allowance_gb")]
    assert "is also on row 2" in errors[(11, "serial")]
    assert 2 not in {row for row, _ in errors}
    assert refused.value.message == "9 rows with errors; nothing was imported"
    assert count(Asset) == 0 and count(Event) == 0


def test_identifiers_already_stored_are_refused(world, make_asset):
    make_asset("tablet", serial="R99B95F239", make="Samsung", imei="356174125700784")
    data = (SAMPLES / "delivery-tablets.csv").read_bytes()
    with pytest.raises(InvalidInput) as refused:
        receiving.import_manifest(data, world.warehouse)
    messages = [(e["row"], e["column"], e["message"]) for e in refused.value.errors]
    assert (2, "serial", "serial R99B95F239 (make samsung) is already stored") in messages
    assert any(col == "imei" and "already stored" in msg for _, col, msg in messages)
    assert count(Asset) == 1


def test_the_same_serial_from_another_maker_is_a_different_asset(world, make_asset):
    make_asset("desk", serial="DE-00001", make="Other Furniture Ltd")
    result = receiving.import_manifest((SAMPLES / "delivery-laptops-furniture.csv").read_bytes(), world.warehouse)
    assert result.created == 180


def test_a_dry_run_checks_everything_and_stores_nothing(world):
    result = receiving.import_manifest((SAMPLES / "delivery-tablets.csv").read_bytes(), world.warehouse, dry_run=True)
    assert result.dry_run and result.checked == 300 and result.created == 0
    assert count(Asset) == 0


def test_a_data_bearing_device_without_a_wipe_certificate_waits_in_received(world):
    data = HEADER + "laptop,Dell,Latitude,SNX1,,,,,,B,,HIW,WH-MAIN\nchair,ReUse,Chair,CH-1,,,,,,A,,HIW,WH-MAIN\n"
    receiving.import_manifest(data.encode(), world.warehouse)
    statuses = dict(db.session.execute(sa.select(Asset.type, Asset.status)).all())
    assert statuses == {"laptop": AssetStatus.RECEIVED, "chair": AssetStatus.IN_STOCK}


def test_receive_one_reports_errors_by_field(world, make_asset):
    make_asset("sim", iccid="8944102600044000003")
    with pytest.raises(InvalidInput) as refused:
        receiving.receive_one(
            {"type": "sim", "make": "V", "model": "S", "iccid": "8944102600044000003", "location": "WH-MAIN"},
            world.warehouse,
        )
    assert refused.value.errors == {"json": {"iccid": ["iccid 8944102600044000003 is already stored"]}}


def test_the_database_itself_refuses_one_serial_under_one_maker_written_in_two_cases(world, make_asset):
    """The unique index, not only the import's check: a writer that skips the checks (or races them)
    cannot store "dell" beside "Dell" with the same serial; another maker's same serial is still fine."""
    stored = make_asset("laptop", make="Dell", serial="CN0FX123")
    copy = {
        "tag": "ZZZZZZZ",
        "type": "laptop",
        "model": "Latitude 5400",
        "status": "in_stock",
        "location_id": stored.location_id,
        "received_at": stored.received_at,
    }
    for make in ("dell", "DELL", "Dell"):
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.execute(sa.insert(Asset).values({**copy, "make": make, "serial": "CN0FX123"}))
    db.session.execute(sa.insert(Asset).values({**copy, "make": "Lenovo", "serial": "CN0FX123", "tag": "ZZZZZZY"}))
    assert db.session.scalar(sa.select(sa.func.count()).where(Asset.serial == "CN0FX123")) == 2


def test_a_serial_stored_under_the_maker_in_another_case_is_refused_by_the_single_asset_form(world, make_asset):
    make_asset("laptop", make="Dell", serial="CN0FX124")
    with pytest.raises(InvalidInput) as refused:
        make_asset("laptop", make="DELL", serial="cn0fx124")
    assert refused.value.errors == {"json": {"serial": ["serial CN0FX124 (make dell) is already stored"]}}
    assert count(Asset) == 1
