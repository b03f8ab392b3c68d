"""`oms.validators`: one rule for country codes, used by services, forms and the API."""

import pytest
from django.core.exceptions import ValidationError

from oms.validators import (
    COUNTRY_CODE,
    COUNTRY_CODE_MESSAGE,
    CountryCodeField,
    is_country_code,
    normalize_country,
)


@pytest.mark.parametrize("value", ["US", "de", "Gb", " fr ", "nl\n"])
def test_two_ascii_letters_in_either_case_are_a_country_code(value):
    assert is_country_code(value)


@pytest.mark.parametrize("value", ["", None, "U", "USA", "U1", "ÄB", "ß", "ﬀ", "U S"])
def test_anything_else_is_not(value):
    assert not is_country_code(value)


def test_the_stored_form_is_stripped_and_upper_case():
    assert normalize_country(" gb ") == "GB"
    assert normalize_country(None) == ""
    assert COUNTRY_CODE.fullmatch(normalize_country("de"))
    assert not COUNTRY_CODE.fullmatch("de")


def test_the_form_field_cleans_to_the_stored_form():
    assert CountryCodeField().clean(" de ") == "DE"


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        (
            "Britain",
            ["Ensure this value has at most 2 characters (it has 7).", COUNTRY_CODE_MESSAGE],
        ),
        ("ß", [COUNTRY_CODE_MESSAGE]),
        ("", ["This field is required."]),
    ],
)
def test_the_form_field_explains_a_bad_code(value, errors):
    with pytest.raises(ValidationError) as refusal:
        CountryCodeField().clean(value)
    assert refusal.value.messages == errors


def test_an_optional_form_field_may_be_left_empty():
    assert CountryCodeField(required=False).clean("") == ""


def test_without_nul_replaces_nul_in_every_string_and_key():
    from oms.validators import without_nul

    payload = {"a\x00": ["x\x00y", {"k": "\x00"}], "n": 1, "none": None}
    assert without_nul(payload) == {"a\ufffd": ["x\ufffdy", {"k": "\ufffd"}], "n": 1, "none": None}
