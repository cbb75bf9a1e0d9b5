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
