"""One stored form per phone number, whatever way it was written, and the keys a typed number
is looked for by."""

import pytest

from oms.phones import looks_like_phone, normalize_phone, phone_search_keys


@pytest.mark.parametrize(
    ("written", "country", "stored"),
    [
        ("616.234.9992", "US", "+16162349992"),
        ("(616) 234-9992", "us", "+16162349992"),
        ("1 616 234 9992", "US", "+16162349992"),
        ("+1 616 234 9992", "", "+16162349992"),
        ("616-234-9992", "", "6162349992"),
        ("020 7946 0000", "GB", "+442079460000"),
        ("0044 20 7946 0000", "", "+442079460000"),
        ("020 7946 0000", "", "2079460000"),
        ("06 1234 5678", "IT", "+390612345678"),
        ("030 1234567", "DE", "+49301234567"),
        ("٠٢٠ ٧٩٤٦ ٠٠٠٠", "GB", "+442079460000"),
        ("616 234 9992", "ZZ", "6162349992"),
        ("n/a", "US", ""),
        ("123", "US", ""),
        ("", "US", ""),
    ],
)
def test_a_number_is_stored_in_e164_where_its_country_is_known(written, country, stored):
    assert normalize_phone(written, country) == stored


@pytest.mark.parametrize(
    ("typed", "keys"),
    [
        ("616.234.9992", ["6162349992"]),
        ("(616) 234-9992", ["6162349992"]),
        ("9992", ["9992"]),
        ("020 7946 0000", ["02079460000", "2079460000"]),
        ("0044 20 7946 0000", ["00442079460000", "442079460000"]),
        ("+44 20 7946 0000", ["442079460000"]),
    ],
)
def test_a_typed_number_is_looked_for_with_and_without_its_dialling_prefix(typed, keys):
    assert phone_search_keys(typed) == keys


@pytest.mark.parametrize("text", ["SO-000123", "kim", "123", "1-2-3", "demo-00120", "#1042"])
def test_text_that_is_not_a_phone_number_gives_no_keys(text):
    assert not looks_like_phone(text)
    assert phone_search_keys(text) == []
