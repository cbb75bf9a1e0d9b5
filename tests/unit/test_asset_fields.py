"""One set of rules for an incoming asset, whether it comes as JSON or as a manifest row."""

from inventory.services.asset_fields import clean


def errors_of(**raw):
    base = {"type": "tablet", "make": "Samsung", "model": "Tab", "serial": "sn1", "location": "wh-main"}
    base.update(raw)
    return dict(clean(base)[1])


def test_a_good_tablet_is_cleaned_to_its_normal_form():
    values, errors = clean(
        {
            "type": " Tablet ",
            "make": "Samsung",
            "model": "Tab A9",
            "serial": " r9174d9406 ",
            "imei": "356174125700784",
            "condition": "a",
            "programme": "dii",
            "location": "wh-main",
        }
    )
    assert errors == []
    assert values["type"] == "tablet" and values["serial"] == "R9174D9406"
    assert values["condition"] == "A" and values["programme"] == "DII" and values["location"] == "WH-MAIN"


def test_a_sim_gets_its_iccid_as_serial_and_a_normal_mobile_number():
    values, errors = clean(
        {
            "type": "sim",
            "make": "Vodafone",
            "model": "SIM",
            "iccid": "8944102600044000003",
            "msisdn": "07700900000",
            "data_allowance_gb": "20",
            "location": "WH-MAIN",
        }
    )
    assert errors == []
    assert values["serial"] == "8944102600044000003"
    assert values["msisdn"] == "+447700900000"
    assert values["data_allowance_gb"] == 20


def test_unknown_type_and_missing_required_fields():
    errors = dict(clean({"type": "phone", "make": "", "model": "X", "location": ""})[1])
    assert "'phone' is not a type" in errors["type"]
    assert errors["make"] == "is required"
    assert errors["location"] == "is required"


def test_devices_need_a_serial():
    assert errors_of(serial="")["serial"] == "is required for a tablet"


def test_identifiers_belong_to_the_right_types():
    errors = dict(
        clean(
            {
                "type": "chair",
                "make": "A",
                "model": "B",
                "location": "W",
                "imei": "356174125700784",
                "iccid": "8944102600044000003",
            }
        )[1]
    )
    assert "has no IMEI" in errors["imei"]
    assert "only SIM cards" in errors["iccid"]


def test_numbers_that_are_not_numbers():
    sim = {"type": "sim", "make": "V", "model": "S", "iccid": "8944102600044000003", "location": "W"}
    assert "is not a number" in dict(clean({**sim, "data_allowance_gb": "twenty"})[1])["data_allowance_gb"]
    assert "whole number" in dict(clean({**sim, "data_allowance_gb": "1.5"})[1])["data_allowance_gb"]
    assert "between 0" in dict(clean({**sim, "data_allowance_gb": "-3"})[1])["data_allowance_gb"]
    assert "is not a number" in dict(clean({**sim, "data_allowance_gb": "nan"})[1])["data_allowance_gb"]


def test_luhn_and_length_checks():
    assert "Luhn" in errors_of(imei="356174125700785")["imei"]
    assert "15 digits" in errors_of(imei="3561741257007")["imei"]


def test_over_long_values_are_refused_with_their_length():
    assert errors_of(model="x" * 121)["model"] == "is 121 characters long; at most 120 are allowed"


def test_condition_grades():
    assert "expected A, B or C" in errors_of(condition="D")["condition"]
