"""IMEIs, ICCIDs and UK mobile numbers: checked and put in one normal form."""

import pytest

from inventory.identifiers import luhn_ok, normalise_iccid, normalise_imei, normalise_uk_mobile


def test_luhn_accepts_sample_numbers_and_rejects_one_changed_digit():
    assert luhn_ok("356174125700784")
    assert not luhn_ok("356174125700785")


def test_imei_normal_form_drops_spaces_and_dashes():
    assert normalise_imei("35-617412-570078 4") == "356174125700784"


@pytest.mark.parametrize(
    "value, message",
    [
        ("35617412570078", "15 digits"),
        ("356174125700785", "Luhn"),
        ("35617412570078X", "only digits"),
    ],
)
def test_bad_imeis_say_what_is_wrong(value, message):
    with pytest.raises(ValueError, match=message):
        normalise_imei(value)


def test_iccid_accepts_the_sample_batch_and_f_padding():
    assert normalise_iccid("8944102600044000003") == "8944102600044000003"
    assert normalise_iccid("8944 1026 0004 4000 003F") == "8944102600044000003"


@pytest.mark.parametrize(
    "value, message",
    [
        ("8944102600044000004", "Luhn"),
        ("894410260004", "18 to 22 digits"),
        ("1944102600044000005", "starts with 89"),
    ],
)
def test_bad_iccids_say_what_is_wrong(value, message):
    with pytest.raises(ValueError, match=message):
        normalise_iccid(value)


@pytest.mark.parametrize(
    "value",
    [
        "07700900123",
        "07700 900123",
        "+44 7700 900123",
        "447700900123",
        "0044 7700 900123",
        "7700900123",
        "(07700) 900-123",
    ],
)
def test_uk_mobiles_in_every_common_form_become_e164(value):
    assert normalise_uk_mobile(value) == "+447700900123"


@pytest.mark.parametrize("value", ["01512345678", "0770090012", "+33612345678", "phone me"])
def test_non_mobile_numbers_are_refused(value):
    with pytest.raises(ValueError):
        normalise_uk_mobile(value)
