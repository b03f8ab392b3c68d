"""Shared by the order models: money columns."""

from decimal import Decimal

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
