"""`oms.money`: amounts in cents, rounded half-up, and the bounds every door checks."""

from decimal import Decimal

import pytest

from oms.money import MAX_MONEY, MONEY, ZERO, parse_money, to_money


def test_max_money_is_the_largest_amount_a_money_column_holds():
    digits_before_point = MONEY["max_digits"] - MONEY["decimal_places"]
    assert Decimal("9" * digits_before_point + "." + "9" * MONEY["decimal_places"]) == MAX_MONEY


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ZERO),
        ("", ZERO),
        (0, ZERO),
        (7, Decimal("7.00")),
        ("16", Decimal("16.00")),
        (Decimal("2.345"), Decimal("2.35")),
        ("2.344", Decimal("2.34")),
        ("0.005", Decimal("0.01")),
    ],
)
def test_to_money_rounds_half_up_to_cents(value, expected):
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24", Decimal("24.00")),
        (" 24.5 ", Decimal("24.50")),
        ("0", ZERO),
        ("1.005", Decimal("1.01")),
        ("9999999999.99", MAX_MONEY),
        (Decimal("3.10"), Decimal("3.10")),
    ],
)
def test_parse_money_reads_amounts_from_zero_to_the_maximum(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    "text", ["", "  ", "abc", "-0.01", "10000000000", "9999999999.995", "NaN", "Infinity", None]
)
def test_parse_money_refuses_what_is_not_an_amount(text):
    assert parse_money(text) is None
