"""What the marketplace mappers share: the signature scheme and lenient readers for their JSON."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oms.money import MAX_MONEY
from orders.errors import OrderInvalid
from orders.services import AddressData

# Far above any real order line, far below what the columns hold: a typo or a forged-looking
# figure becomes a failed receipt with a reason instead of a database error.
MAX_QUANTITY = 100_000


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


def amount(value, field: str, *, default: str = "0") -> Decimal:
    """A money figure sent as a string or number; raises OrderInvalid naming the field."""
    if value is None or value == "":
        value = default
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite() or abs(result) > MAX_MONEY:
        raise OrderInvalid(
            f"{field} is not an amount of money.", fields={field: [f"Got {value!r}."]}
        )
    return result


def optional_amount(value, field: str) -> Decimal | None:
    return None if value is None or value == "" else amount(value, field)


def quantity(value, field: str) -> int:
    """A whole number of units from 1 up; raises OrderInvalid naming the field."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise OrderInvalid(
            f"{field} must be a whole number from 1 to {MAX_QUANTITY:,}.",
            fields={field: [f"Got {value!r}."]},
        )
    return value


def moment(value) -> datetime | None:
    """An ISO 8601 time; without an offset it is read as UTC. None when absent or unreadable:
    a missing placement time is not a reason to lose an order (capture uses 'now')."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def is_blank(address: AddressData) -> bool:
    return not any(vars(address).values())


def describe(error: OrderInvalid) -> str:
    """The error as one line for the receipt: message, then each field's reasons."""
    details = "; ".join(f"{field}: {' '.join(reasons)}" for field, reasons in error.fields.items())
    return f"{error.message} {details}".strip()
