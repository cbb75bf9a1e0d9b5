"""Labels over HTTP: sheets for a delivery, single labels, and what has been printed."""

import io

import pypdfium2 as pdfium
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from inventory.extensions import db
from inventory.models import Asset
from tests.conftest import BASE_URL, SAMPLES


def decoded_tags(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = [r.text for page in doc for r in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())]
    finally:
        doc.close()
    prefix = BASE_URL.upper() + "/A/"
    assert all(t.startswith(prefix) for t in texts), texts[:3]
    return [t.removeprefix(prefix) for t in texts]


def test_a_sheet_for_the_sample_tablet_delivery(client, world):
    headers = world.headers["warehouse"]
    imported = client.post(
        "/api/v1/assets/import",
        data=(SAMPLES / "delivery-tablets.csv").read_bytes(),
        content_type="text/csv",
        headers=headers,
    ).json
    r = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"], "template": "L7651"}, headers=headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert len(pdfium.PdfDocument(r.data)) == 5  # 300 labels at 65 a sheet
    assert sorted(decoded_tags(r.data)) == sorted(imported["tags"])
    printed = db.session.scalar(
        sa.select(sa.func.count()).select_from(Asset).where(Asset.label_printed_at.is_not(None))
    )
    assert printed == 300


def test_only_what_has_never_been_printed(client, world, make_asset):
    headers = world.headers["warehouse"]
    first, second = make_asset("chair", location="HUB-B"), make_asset("desk", location="HUB-B")
    client.post("/api/v1/labels/sheet", json={"tags": [first.tag]}, headers=headers)
    r = client.post(
        "/api/v1/labels/sheet", json={"location": "hub-b", "unprinted": True, "template": "L7163"}, headers=headers
    )
    assert decoded_tags(r.data) == [second.tag]
    again = client.post("/api/v1/labels/sheet", json={"location": "HUB-B", "unprinted": True}, headers=headers)
    assert again.status_code == 422 and "nothing to print" in again.json["message"]


def test_single_labels_for_assets_and_kits(client, world, make_asset):
    headers = world.headers["admin"]
    tablet, sim = make_asset("tablet"), make_asset("sim")
    kit = client.post("/api/v1/kits", json={"items": [tablet.tag, sim.tag]}, headers=headers).json
    png = client.get(f"/api/v1/labels/{kit['tag'].lower()}.png", headers=headers)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))] == [
        f"{BASE_URL.upper()}/A/{kit['tag']}"
    ]
    svg = client.get(f"/api/v1/labels/{tablet.tag}.svg", headers=headers).get_data(as_text=True)
    assert svg.startswith("<svg") and tablet.tag in svg
    zpl = client.get(f"/api/v1/labels/{kit['tag']}.zpl", headers=headers).get_data(as_text=True)
    assert zpl.startswith("^XA") and tablet.tag in zpl and sim.tag in zpl  # a kit's label lists its items
    # Downloading a picture is not printing.
    assert db.session.scalar(sa.select(Asset.label_printed_at).where(Asset.id == tablet.id)) is None


def test_a_phone_camera_opens_the_capitalised_label_url(client, world, make_asset):
    tag = make_asset().tag
    opened = client.get(f"/A/{tag}")  # signed out: the found-device page, with a sign-in back to this asset
    assert opened.status_code == 200 and f"next=/A/{tag}" in opened.get_data(as_text=True).replace("%2F", "/")
    scan = client.get(
        "/api/v1/scan", query_string={"code": f"{BASE_URL.upper()}/A/{tag}"}, headers=world.headers["warehouse"]
    )
    assert scan.json["tag"] == tag and scan.json["matched_by"] == "url"


def test_bad_label_requests(client, world, make_asset):
    headers = world.headers["warehouse"]
    tag = make_asset().tag
    cases = [
        ({"tags": [tag], "template": "A4-PLAIN"}, 422, "template"),
        ({"tags": [tag], "start_position": 66}, 422, "off the sheet"),
        ({"tags": []}, 422, None),
        ({}, 422, None),
        ({"tags": [tag], "batch": "x"}, 422, None),
        ({"tags": ["24K78C5"]}, 404, "No asset or kit has tag"),
        ({"batch": "nope"}, 404, "No import batch"),
    ]
    for body, status, text in cases:
        r = client.post("/api/v1/labels/sheet", json=body, headers=headers)
        assert r.status_code == status, (body, r.json)
        assert text is None or text in str(r.json), (body, r.json)
    assert client.get("/api/v1/labels/24K78C5.png", headers=headers).status_code == 404
    assert client.get(f"/api/v1/labels/{tag}.gif", headers=headers).status_code == 404
    assert (
        client.post("/api/v1/labels/sheet", json={"tags": [tag]}, headers=world.headers["advocate"]).status_code == 403
    )
