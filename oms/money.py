"""Money: one definition of the columns, the largest amount, and rounding to cents.

Amounts are `Decimal` with two places and the order's ISO currency beside them; never float.
Every money column, serializer field and form field takes its digits from `MONEY`, and every
door checks amounts against `MAX_MONEY`, so an absurd figure is a clear 400, not a database error.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# The largest amount a MONEY column holds (10 digits before the point, 2 after).
MAX_MONEY = Decimal("9999999999.99")


def to_money(value) -> Decimal:
    """`value` (Decimal, int, str or None) rounded half-up to cents; None and "" are zero."""
    if value is None or value == "":
        return ZERO
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(value) -> Decimal | None:
    """A finite amount from 0 to MAX_MONEY in cents, or None when `value` is not one."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or not 0 <= amount <= MAX_MONEY:
        return None
    return to_money(amount)
