"""The deliveries pages: a manifest read once as a stream, its first rows shown with every error listed,
then imported by the same service as the API and the CLI."""

import io

import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Asset, Delivery, Event
from inventory.web.deliveries import MAX_UPLOAD_ROWS
from tests.integration.test_import_streaming import manifest
from tests.web.conftest import new_request_context


def test_a_long_manifest_shows_its_first_rows_and_every_error_then_imports_whole(as_role):
    client, token = as_role("warehouse")
    bad = manifest(1_200, replace={1_150: "chair,ReUse,Office chair,X1,,,,,,C,,NOWHERE\n"})
    page = client.post("/deliveries/preview", data={"csrf_token": token, "manifest": (io.BytesIO(bad), "delivery.csv")})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "1200 rows in delivery.csv (the first 500 shown)" in text
    assert "Row 1150, Location: unknown location &#39;NOWHERE&#39;" in text  # listed, though not shown
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0

    new_request_context()
    good = manifest(1_200).decode()
    page = client.post(
        "/deliveries/preview", data={"csrf_token": token, "manifest": (io.BytesIO(good.encode()), "d.csv")}
    )
    assert page.status_code == 200 and "All 1200 rows are good." in page.get_data(as_text=True)
    new_request_context()
    done = client.post("/deliveries/import", data={"csrf_token": token, "manifest_text": good})
    assert done.status_code == 302 and "/deliveries/" in done.headers["Location"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 1_200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1_200
    assert db.session.scalar(sa.select(Delivery.assets)) == 1_200


def test_a_serial_stored_since_the_preview_shows_the_preview_again_with_why(as_role, make_asset):
    client, token = as_role("warehouse")
    data = manifest(4)
    make_asset("chair", make="ReUse", serial="S00000003")  # row 5 of the file, stored meanwhile
    new_request_context()
    page = client.post("/deliveries/import", data={"csrf_token": token, "manifest_text": data.decode()})
    assert page.status_code == 422
    assert "serial S00000003 (make reuse) is already stored" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 1


def test_the_largest_manifest_the_page_takes_is_carried_from_its_preview_to_its_import(as_role):
    """The preview hands the checked text to the import in a form field: 10,000 rows, over half a megabyte."""
    client, token = as_role("warehouse")
    good = manifest(MAX_UPLOAD_ROWS).decode()
    assert len(good) > 500_000
    done = client.post("/deliveries/import", data={"csrf_token": token, "manifest_text": good})
    assert done.status_code == 302, done.status_code
    db.session.rollback()
    assert db.session.scalar(sa.select(Delivery.assets)) == MAX_UPLOAD_ROWS


def test_a_delivery_is_named_by_what_it_brought_and_follows_a_corrected_make(as_role, world):
    """The name is read from the kept contents of the batch (not its assets grouped): what came, most
    first, on the day the delivery's row records; a make corrected afterwards changes it."""
    from inventory.extensions import unit_of_work
    from inventory.services import asset_details, receiving
    from inventory.web.deliveries import batch_names

    with unit_of_work():
        result = receiving.import_manifest(manifest(5), world.warehouse)  # 2 tablets, a laptop, a SIM, a chair
    batch = result.batch
    name = batch_names([batch])[batch]
    assert name.endswith(": 2 Samsung tablets, 1 ReUse chair, 1 Dell laptop and more")
    client, _ = as_role("warehouse")
    assert name in client.get("/deliveries").get_data(as_text=True)

    tablet = db.session.scalars(sa.select(Asset.tag).where(Asset.batch == batch, Asset.type == "tablet")).first()
    with unit_of_work():
        asset_details.update_details(tablet, {"make": "Lenovo"}, world.admin)
    after = batch_names([batch])[batch]
    assert after.split(": ")[0] == name.split(": ")[0]  # the same day
    assert after.endswith(": 1 ReUse chair, 1 Dell laptop, 1 Vodafone SIM and more")
    with unit_of_work(write=False):
        contents = {
            (kind, make): n
            for kind, make, n in db.session.execute(
                sa.text("SELECT type, make, count FROM delivery_contents WHERE batch = :b"), {"b": batch}
            )
        }
    assert contents == {
        ("tablet", "Samsung"): 1,
        ("tablet", "Lenovo"): 1,
        ("laptop", "Dell"): 1,
        ("sim", "Vodafone"): 1,
        ("chair", "ReUse"): 1,
    }
