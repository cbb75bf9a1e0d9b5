"""Manifests as spreadsheet programs export them."""

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
