"""Manifests as spreadsheet programs export them."""

import io

import pytest

from inventory.services import manifest

HEADER = (
    "type,make,model,serial,imei,iccid,msisdn,network,data_allowance_gb,condition,wipe_certificate,programme,location"
)


def test_bom_crlf_and_header_case_are_accepted():
    data = (
        "\ufeff" + HEADER.upper().replace("DATA_ALLOWANCE_GB", "Data Allowance GB") + "\r\n"
        "tablet, Samsung ,Tab,SN1,,,,,,A,W1,DII,WH-MAIN\r\n"
    ).encode("utf-8")
    result = manifest.read(data, max_rows=10)
    assert result.errors == []
    assert result.rows == [
        (
            2,
            {
                "type": "tablet",
                "make": " Samsung ",
                "model": "Tab",
                "serial": "SN1",
                "imei": "",
                "iccid": "",
                "msisdn": "",
                "network": "",
                "data_allowance_gb": "",
                "condition": "A",
                "wipe_certificate": "W1",
                "programme": "DII",
                "location": "WH-MAIN",
            },
        )
    ]


def test_semicolons_and_windows_1252_text_from_older_excel():
    data = "type;make;model;serial;location\r\nchair;Café Furniture;Chair;C1;WH-MAIN\r\n".encode("cp1252")
    result = manifest.read(data, max_rows=10)
    assert result.errors == []
    assert result.rows[0][1]["make"] == "Café Furniture"


def test_blank_lines_are_skipped_but_row_numbers_match_the_spreadsheet():
    data = b"type,make,model,location\n\nchair,A,B,WH\n,,,\ndesk,A,B,WH\n"
    result = manifest.read(data, max_rows=10)
    assert [n for n, _ in result.rows] == [3, 5]


def test_unknown_duplicate_and_missing_columns_are_reported_on_row_1():
    result = manifest.read(b"type,make,colour,make\nchair,A,red,B\n", max_rows=10)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "unknown column 'colour'" in messages[(1, "colour")]
    assert "appears twice" in messages[(1, "make")]
    assert "required column 'model' is missing" in messages[(1, "model")]
    assert "required column 'location' is missing" in messages[(1, "location")]
    assert result.rows == []


def test_a_row_with_too_many_values_names_the_row():
    result = manifest.read(b"type,make,model,location\nchair,A,B,WH,extra\n", max_rows=10)
    assert [(e.row, e.message[:28]) for e in result.errors] == [(2, "this row has 5 values but th")]


def test_empty_and_binary_files_are_refused():
    assert manifest.read(b"", max_rows=10).errors[0].message.startswith("the file is empty")
    assert "binary" in manifest.read(b"\x89PNG\r\n\x1a\n\x00\x00", max_rows=10).errors[0].message
    assert "no rows" in manifest.read(b"type,make,model,location\n", max_rows=10).errors[0].message


def test_too_many_rows_is_refused():
    data = b"type,make,model,location\n" + b"chair,A,B,WH\n" * 5
    result = manifest.read(data, max_rows=3)
    assert "more than 3 rows" in result.errors[0].message


class _OneWay(io.RawIOBase):
    """A request body: read once, front to back, no seeking."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _rows(count: int, make: str = "M") -> bytes:
    return (
        "type,make,model,serial,location\n" + "".join(f"chair,{make},C,S{n},WH-MAIN\n" for n in range(count))
    ).encode()


def test_a_stream_that_cannot_seek_is_spooled_and_read_a_row_at_a_time():
    stream = manifest.ManifestStream(_OneWay(_rows(3000)), max_rows=5000, keep=2)
    rows = iter(stream)
    assert next(rows) == (2, {"type": "chair", "make": "M", "model": "C", "serial": "S0", "location": "WH-MAIN"})
    assert stream.rows == 1  # read as far as asked, no further
    assert sum(1 for _ in rows) == 2999 and stream.rows == 3000 and stream.errors == []
    assert [n for n, _ in stream.kept] == [2, 3] and stream.lines == 3002


def test_windows_1252_is_recognised_from_a_byte_past_the_first_megabyte():
    # Read as UTF-8, the first megabyte would be fine and the byte after it not: the whole file is one encoding.
    data = _rows(60_000) + "chair,Café,C,LAST,WH-MAIN\n".encode("cp1252")
    assert len(data) > 1024 * 1024
    rows = list(manifest.ManifestStream(data, max_rows=100_000))
    assert rows[-1][1]["make"] == "Café"


def test_a_spooled_body_longer_than_its_limit_is_refused():
    with pytest.raises(ValueError):
        manifest.spooled(_OneWay(b"x" * 5000), limit=4999)
    assert manifest.spooled(_OneWay(b"x" * 5000), limit=5000).read() == b"x" * 5000
