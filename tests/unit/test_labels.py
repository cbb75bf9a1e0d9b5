"""Labels, pure: payloads, geometry, and codes that decode from the rendered page inside their cells."""

import io
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from inventory.tags import tag_for_number
from labels import single, zpl
from labels.content import LabelContent
from labels.layout import MIN_MODULE_MM, LabelTooSmall, layout
from labels.payload import qr_payload
from labels.qr import QUIET_ZONE, library_matrix, matrix
from labels.sheets import A4, TEMPLATES, SheetError, render, template

BASE = "https://kit.example.org"
DPI = 300


def contents(n, start=1):
    return [
        LabelContent.for_asset(BASE, tag_for_number(i), "tablet", "Galaxy Tab A9 (SM-X115, LTE)")
        for i in range(start, start + n)
    ]


def decode_pages(pdf: bytes):
    """Every page rendered at 300 dpi; for each, the codes found: (text, centre x mm, centre y mm)."""
    doc = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for page in doc:
            image = page.render(scale=DPI / 72).to_pil()
            found = []
            for result in zxingcpp.read_barcodes(image):
                p = result.position
                xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
                ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
                found.append(
                    (
                        result.text,
                        sum(xs) / 4 / DPI * 25.4,
                        sum(ys) / 4 / DPI * 25.4,
                        (min(xs) / DPI * 25.4, min(ys) / DPI * 25.4, max(xs) / DPI * 25.4, max(ys) / DPI * 25.4),
                    )
                )
            pages.append(found)
    finally:
        doc.close()
    return pages


def test_a_url_without_a_path_goes_in_capitals_for_the_compact_mode():
    assert qr_payload(BASE, "K7MX3QP") == "HTTPS://KIT.EXAMPLE.ORG/A/K7MX3QP"
    assert len(matrix(qr_payload(BASE, "K7MX3QP"))) == 25  # version 2
    assert qr_payload("https://council.gov.uk/Kit/", "K7MX3QP") == "https://council.gov.uk/Kit/a/K7MX3QP"


def test_the_template_table_matches_the_sheets():
    assert {code: t.per_sheet for code, t in TEMPLATES.items()} == {"L7651": 65, "L7160": 21, "L7163": 14, "L6145": 40}
    for t in TEMPLATES.values():
        right = t.left + (t.columns - 1) * t.pitch_x + t.label_width
        bottom = t.top + (t.rows - 1) * t.pitch_y + t.label_height
        assert 0 < right <= A4[0] and 0 < bottom <= A4[1], t.code
        assert abs((A4[0] - right) - t.left) < 0.2, t.code  # centred across the page
        assert t.pitch_x >= t.label_width and t.pitch_y >= t.label_height, t.code


@pytest.mark.parametrize("code", list(TEMPLATES))
@pytest.mark.parametrize("modules", [25, 29, 33])
def test_every_template_gives_modules_of_at_least_0_4_mm_with_a_full_quiet_zone(code, modules):
    t = TEMPLATES[code]
    box = layout(t.label_width, t.label_height, modules)
    assert box.module >= MIN_MODULE_MM
    x, y, w, h = box.code_box
    assert x >= 0 and y >= 0 and x + w <= t.label_width and y + h <= t.label_height
    assert box.code_x - x == pytest.approx(QUIET_ZONE * box.module)
    assert box.text_x >= x + w - 1e-9  # text never enters the quiet zone


def test_a_code_too_big_for_its_label_is_refused():
    with pytest.raises(LabelTooSmall, match="at least 0.4 mm"):
        layout(38.1, 21.2, 57)


def test_a_full_l7651_sheet_decodes_every_code_inside_its_own_cell():
    sheet = template("l7651")
    labels = contents(65)
    [page] = decode_pages(render(labels, sheet))
    assert sorted(text for text, *_ in page) == sorted(c.payload for c in labels)
    for index, content in enumerate(labels, start=1):
        left, top = sheet.cell(index)
        text, cx, cy, (x0, y0, x1, y1) = next(f for f in page if f[0] == content.payload)
        assert left <= x0 and x1 <= left + sheet.label_width, (index, x0, x1, left)
        assert top <= y0 and y1 <= top + sheet.label_height, (index, y0, y1, top)


@pytest.mark.parametrize("code", ["L7160", "L7163", "L6145"])
def test_other_templates_decode_too(code):
    sheet = template(code)
    labels = contents(sheet.per_sheet + 3)
    pages = decode_pages(render(labels, sheet))
    assert [len(p) for p in pages] == [sheet.per_sheet, 3]
    assert sorted(t for p in pages for t, *_ in p) == sorted(c.payload for c in labels)


def test_start_position_continues_a_partly_used_sheet_then_starts_new_ones():
    sheet = template("L7651")
    labels = contents(70)
    pages = decode_pages(render(labels, sheet, start_position=61))
    assert [len(p) for p in pages] == [5, 65]
    first = next(f for f in pages[0] if f[0] == labels[0].payload)
    left, top = sheet.cell(61)
    assert left <= first[1] <= left + sheet.label_width and top <= first[2] <= top + sheet.label_height


def test_a_printer_offset_moves_every_label():
    sheet = template("L7163")
    plain = decode_pages(render(contents(1), sheet))[0][0]
    moved = decode_pages(render(contents(1), sheet, offset=(2.0, -1.5)))[0][0]
    assert moved[1] - plain[1] == pytest.approx(2.0, abs=0.15)
    assert moved[2] - plain[2] == pytest.approx(-1.5, abs=0.15)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(start_position=66), "start position 66 is off the sheet"),
        (dict(start_position=0), "start position 0 is off the sheet"),
    ],
)
def test_bad_sheet_requests(kwargs, message):
    with pytest.raises(SheetError, match=message):
        render(contents(1), template("L7651"), **kwargs)
    with pytest.raises(SheetError, match="no labels"):
        render([], template("L7651"))
    with pytest.raises(SheetError, match="unknown label template 'A4'"):
        template("A4")


def test_the_pdf_is_vector():
    pdf = render(contents(2), template("L7651"))
    assert b"/Subtype /Image" not in pdf  # the codes are drawn as shapes, not pictures


def test_a_png_label_decodes_and_says_its_tag():
    kit = LabelContent.for_kit(BASE, "7E6TXTT", ["24K78C5", "A5QGYQR"], "DII-TABLET")
    image = Image.open(io.BytesIO(single.png(kit)))
    assert image.info["dpi"][0] == pytest.approx(300, abs=1)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [kit.payload]


def test_an_svg_label_is_well_formed_with_the_tag_and_the_kits_items():
    kit = LabelContent.for_kit(BASE, "7E6TXTT", ["24K78C5", "A5QGYQR"])
    root = ET.fromstring(single.svg(kit))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["7E6TXTT", "kit · 2 items", "24K78C5 A5QGYQR"]
    assert len(root.find("{http://www.w3.org/2000/svg}path").get("d")) > 100


def test_zpl_for_203_and_300_dpi():
    labels = contents(3)
    out = zpl.render(labels, dpi=203)
    blocks = out.strip().split("^XZ")[:-1]
    assert len(blocks) == 3 and all(b.strip().startswith("^XA") for b in blocks)
    assert "^PW406" in out and "^LL203" in out
    assert f"^BQN,2,5^FDMA,{labels[0].payload}^FS" in out
    hi = zpl.render(labels[:1], dpi=300)
    assert "^PW600" in hi and "^BQN,2,8^FDMA," in hi  # bigger modules at 300 dpi: still over 0.4 mm
    with pytest.raises(ValueError, match="203 or 300"):
        zpl.render(labels, dpi=600)


def test_zpl_escapes_what_would_be_read_as_commands():
    content = LabelContent.for_asset(BASE, "7E6TXTT", "chair", "Chair ^XZ~JR_x café")
    out = zpl.render([content])
    line = next(part for part in out.split("\n") if "chair" in part)
    assert "^XZ~JR" not in line and "_5EXZ_7EJR_5Fx caf_C3_A9" in line
    assert out.count("^XZ") == 1


def test_a_thousand_consecutive_tags_all_decode_with_the_one_fixed_mask():
    """The matrices skip qrcode's scoring of all eight masks (for speed): every code must still read."""
    scale = 4
    for content in contents(1000):
        rows = matrix(content.payload)
        size = (len(rows) + 2 * QUIET_ZONE) * scale
        image = Image.new("L", (size, size), 255)
        for y, row in enumerate(rows):
            for x, dark in enumerate(row):
                if dark:
                    left, top = (x + QUIET_ZONE) * scale, (y + QUIET_ZONE) * scale
                    image.paste(0, (left, top, left + scale, top + scale))
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [content.payload]


@pytest.mark.parametrize(
    "payloads",
    [
        [qr_payload(BASE, tag_for_number(n)) for n in range(1, 400)],  # alphanumeric, version 2-3
        ["https://kit.example.org/inventory/a/K7MX3QP", "https://x.example/a/" + "é" * 20],  # byte mode
        ["0", "12", "123", "1234567890" * 20, "HELLO WORLD", "A" * 300, "x" * 700],  # numeric, long, multi-block
    ],
    ids=["tags", "bytes", "other-sizes"],
)
def test_the_fast_matrices_are_module_for_module_what_qrcode_makes(payloads):
    """labels.qr lays each code's data into a frame worked out once per size: it must equal the library's."""
    for payload in payloads:
        assert matrix(payload) == library_matrix(payload), payload
