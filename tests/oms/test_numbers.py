"""`oms.numbers`: digits of any script, and the largest value each column holds."""

from decimal import Decimal

import pytest

from inventory.models import StockLevel
from oms.numbers import column_max, whole_number
from orders.models import Order


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("١٢", 12),  # Arabic-Indic
        ("１２", 12),  # full-width
        ("٠٠٧", 7),
        ("1000001", 1_000_001),
        ("9" * 10_000, 1_000_001),  # past the maximum, never converted digit by digit
        ("²", None),  # a superscript only looks like a digit
        ("1.5", None),
        ("-1", None),
        (" 1", None),
        ("", None),
    ],
)
def test_whole_numbers_read_digits_of_any_script(text, expected):
    assert whole_number(text, maximum=1_000_000) == expected


def test_column_max_reads_the_column_definition():
    assert column_max(StockLevel, "on_hand") == 2_147_483_647
    assert column_max(Order, "grand_total") == Decimal("9999999999.99")
