"""`oms.validators`: one rule for country codes, used by services, forms and the API."""

import pytest
from django.core.exceptions import ValidationError

from oms import validators
from oms.validators import (
    COUNTRY_CODE,
    COUNTRY_CODE_MESSAGE,
    CountryCodeField,
    escape_non_text,
    is_country_code,
    is_currency_code,
    normalize_country,
    parse_moment,
    text_problem,
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


# --- text, identifiers, currencies and date-times --------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Tab\tand\r\nline breaks", None),
        ("Müller — 東京", None),
        ("a\x00b", "Null characters are not allowed."),
        ("bell\x07", "Control characters are not allowed (tab and line breaks are)."),
        ("next line\x85", "Control characters are not allowed (tab and line breaks are)."),
        ("half \ud800", "Unpaired surrogate characters are not allowed."),
    ],
)
def test_text_refuses_nul_control_characters_and_lone_surrogates(value, problem):
    assert text_problem(value) == problem


def test_what_is_not_text_is_shown_as_its_escape():
    assert escape_non_text("a\x00b\x1bé") == "a\\u0000b\\u001bé"


@pytest.mark.parametrize(
    ("value", "is_code", "is_reference"),
    [
        ("EAST-2_b", True, True),
        ("CABLE/USB-C#1m", False, True),
        ("A B", False, False),
        ("ÉAST", False, False),
        ("A\tB", False, False),
        ("", False, False),
        ("EAST\n", False, False),
    ],
)
def test_codes_and_references_have_their_character_sets(value, is_code, is_reference):
    assert validators.is_code(value) is is_code
    assert validators.is_reference(value) is is_reference


@pytest.mark.parametrize(("value", "valid"), [("USD", True), (" eur ", True), ("€€€", False)])
def test_a_currency_is_an_iso_4217_code_in_either_case(value, valid):
    assert is_currency_code(value) is valid


@pytest.mark.parametrize("value", ["XXX", "XAU", "XTS", "ABC", "US", "USDD", "ＵＳＤ"])
def test_codes_that_name_no_currency_are_not_currencies(value):
    assert not is_currency_code(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01T10:00:00+02:00", "2025-03-01T08:00:00+00:00"),
        ("2025-03-01T10:00:00", "2025-03-01T10:00:00+00:00"),
        ("2025-03-01", "2025-03-01T00:00:00+00:00"),
        ("0000-01-01T00:00:00", None),
        ("2025-02-30", None),
        ("0001-01-01T00:00:00+01:00", None),
        ("yesterday", None),
    ],
)
def test_a_moment_is_read_in_utc_or_refused(value, expected):
    moment = parse_moment(value)
    assert (moment.isoformat() if moment else None) == expected
