"""What the marketplace mappers share: the signature scheme and lenient readers for their JSON."""

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oms.money import MAX_MONEY, to_money
from orders.errors import OrderInvalid
from orders.services import AddressData

# Far above any real order line, far below what the columns hold: a typo or a forged-looking
# figure becomes a failed receipt with a reason instead of a database error.
MAX_QUANTITY = 100_000
# Placement times a shop can really have: later ones (beyond clock skew) or earlier ones would
# put the ship-by date decades away, or past what a date can hold.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


def base64_hmac_valid(*, secret: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is base64(HMAC-SHA256(body, secret)), compared in constant time.

    A channel without a secret accepts nothing: an unsigned webhook could come from anyone.
    """
    if not secret or not signature:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.strip().encode())


def sign(*, secret: str, body: bytes) -> str:
    """The signature a marketplace sends for `body` (for tests and for checking a setup)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def text(value, limit: int | None = None) -> str:
    """A JSON value as stripped text ('' for null), cut to the column's length."""
    result = "" if value is None else str(value).strip()
    return result[:limit] if limit else result


def section(payload: dict, key: str) -> dict:
    """A nested object, or {} when the marketplace sent null or something else."""
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def shown(value) -> str:
    """A sent value as a reason quotes it: short, whatever was sent."""
    printed = repr(value)
    return printed if len(printed) <= 40 else f"{printed[:37]}…"


@dataclass
class Reading:
    """What reading one payload found wrong but could still store: each problem holds the order.

    A real order is never dropped for bad data: a figure out of range (negative, or beyond what
    a money column holds) is stored as 0, a date out of range as the time of capture, and the
    order is held with these sentences as the reason. `money_altered` tells the capture that
    the channel's own total and payment no longer describe what is stored.
    """

    problems: list[str] = field(default_factory=list)
    money_altered: bool = False

    def note(self, problem: str, *, money: bool = False) -> None:
        self.problems.append(problem)
        self.money_altered = self.money_altered or money

    def amount(self, value, name: str, *, default: str = "0") -> Decimal:
        """A money figure sent as a string or number, from 0 to MAX_MONEY in cents."""
        if value is None or value == "":
            value = default
        try:
            result = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            result = None
        if result is None or not result.is_finite():
            reason = "is not an amount of money"
        # Compared before rounding: quantizing a huge figure raises instead of rounding.
        elif not 0 <= result <= MAX_MONEY or to_money(result) > MAX_MONEY:
            reason = f"is out of range (0 to {MAX_MONEY:,})"
        else:
            return result
        self.note(f"{name} {shown(value)} {reason}; stored as 0.", money=True)
        return Decimal("0")

    def optional_amount(self, value, name: str) -> Decimal | None:
        return None if value is None or value == "" else self.amount(value, name)

    def moment(self, value, name: str) -> datetime | None:
        """An ISO 8601 time, read as UTC without an offset; None when absent (capture uses
        'now': a missing placement time is not a reason to hold an order). One that cannot be
        read or lies outside EARLIEST..now+FUTURE_SLACK is noted and read as None too."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
        if parsed is not None and timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=UTC)
        if parsed is None or not EARLIEST <= parsed <= timezone.now() + FUTURE_SLACK:
            self.note(f"{name} {shown(value)} is not a usable date; the order is placed now.")
            return None
        return parsed


def quantity(value, field: str) -> int:
    """A whole number of units from 1 up; raises OrderInvalid naming the field (a quantity
    cannot be stored as something else the way a price can: the order fails instead)."""
    digits = value.strip() if isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= len(str(MAX_QUANTITY)):
        value = int(digits)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise OrderInvalid(
            f"{field} must be a whole number from 1 to {MAX_QUANTITY:,}.",
            fields={field: [f"Got {shown(value)}."]},
        )
    return value


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def is_blank(address: AddressData) -> bool:
    return not any(vars(address).values())


def describe(error: OrderInvalid) -> str:
    """The error as one line for the receipt: message, then each field's reasons."""
    details = "; ".join(f"{field}: {' '.join(reasons)}" for field, reasons in error.fields.items())
    return f"{error.message} {details}".strip()
