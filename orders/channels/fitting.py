"""Fitting a mapped marketplace order into what the tables hold, so bad data holds the order.

Each figure was read within range already (`common.Reading`); here the sums are checked — a
line's price × quantity, the order's total, the discount against it — and the email and the
currency. What
cannot be stored as sent becomes something that can (0, a placeholder address), and each change
is written down: capture holds the order with those sentences (`CaptureRequest.data_problems`).
What the channel really sent stays on the receipt, linked to the order.
"""

import hashlib
from decimal import Decimal

from oms.money import MAX_MONEY, to_money
from oms.validators import is_currency_code
from orders.channels.common import Reading, shown
from orders.models import Customer, OrderHold
from orders.services import CaptureRequest

EMAIL_MAX_LENGTH = Customer._meta.get_field("email").max_length
# RFC 2606 reserves `.invalid`: mail to a placeholder can never reach anyone.
PLACEHOLDER_DOMAIN = "example.invalid"
# The hold's note holds this much: the problems that fit are listed, the rest counted.
NOTE_LENGTH = OrderHold._meta.get_field("note").max_length
ZERO = Decimal("0")


def is_usable_email(email: str) -> bool:
    """Something mail could be sent to and the customer column holds; not a full RFC check
    (real shops send addresses a strict validator refuses, and those orders are fine)."""
    local, at, domain = email.rpartition("@")
    return (
        bool(at and local and domain)
        and len(email) <= EMAIL_MAX_LENGTH
        and email.isprintable()
        and not any(character.isspace() for character in email)
    )


def _fit_email(request: CaptureRequest, reading: Reading, owner: str) -> None:
    email = request.email
    if is_usable_email(email):
        return
    digest = hashlib.sha256(owner.encode()).hexdigest()[:16]
    placeholder = f"no-email-{digest}@{PLACEHOLDER_DOMAIN}"
    if email:
        sent = f"email {shown(email)} ({len(email)} characters) is not a usable address"
    else:
        sent = "order came without an email"
    reading.note(f"The {sent}; it is kept under {placeholder} and no confirmation is sent.")
    request.email = placeholder
    request.notify_customer = False


def _fit_currency(request: CaptureRequest, reading: Reading) -> None:
    """A code that names no currency gives way to the channel's (capture's default for none)."""
    if request.currency and not is_currency_code(request.currency):
        reading.note(
            f"currency {shown(request.currency)} is not an ISO 4217 code; the channel's "
            "currency is used.",
            money=True,
        )
        request.currency = ""


def _fit_totals(request: CaptureRequest, reading: Reading) -> None:
    for index, line in enumerate(request.lines):
        price = to_money(line.unit_price)
        if price * line.quantity > MAX_MONEY:
            reading.note(
                f"Line {index + 1} ({line.sku or 'no SKU'}): {line.quantity} × {price} is beyond "
                f"the largest amount ({MAX_MONEY:,}); its price is stored as 0.",
                money=True,
            )
            line.unit_price = ZERO
    subtotal = sum((to_money(line.unit_price) * line.quantity for line in request.lines), ZERO)
    total = subtotal + to_money(request.shipping_total) + to_money(request.tax_total)
    if total > MAX_MONEY:
        reading.note(
            f"The order's total {total:,} is beyond the largest amount ({MAX_MONEY:,}); every "
            "price and total is stored as 0.",
            money=True,
        )
        for line in request.lines:
            line.unit_price = ZERO
        request.shipping_total = request.tax_total = request.discount_total = ZERO
    elif to_money(request.discount_total) > total:
        reading.note(
            f"The discount {to_money(request.discount_total)} is larger than the order "
            f"({total}); stored as 0.",
            money=True,
        )
        request.discount_total = ZERO


def _forget_channel_money(request: CaptureRequest, reading: Reading) -> None:
    """Once a figure was changed, the channel's total and the amount it says it took no longer
    describe the stored order: comparing them would only add a second hold, and recording the
    payment would leave a balance nobody owes."""
    request.channel_grand_total = None
    taken = request.payment.pop("amount", None) if request.payment else None
    if taken is not None:
        reading.note(f"The payment the channel reports ({taken}) is not recorded.")


def _listed(problems: list[str]) -> list[str]:
    """As many problems as the hold's note shows whole, then how many more there are."""
    listed: list[str] = []
    for index, problem in enumerate(problems):
        more = len(problems) - index - 1
        tail = f" And {more} more like these." if more else ""
        if len(" ".join([*listed, problem])) + len(tail) > NOTE_LENGTH:
            return [*listed, f"And {len(problems) - index} more like these."]
        listed.append(problem)
    return listed


def fit_to_columns(request: CaptureRequest, reading: Reading, *, owner: str) -> CaptureRequest:
    """`request` changed to fit the tables, with every change in `request.data_problems`.

    `owner` names the order across channels (channel, platform, order id): it makes the
    placeholder email of an order without a usable one.
    """
    _fit_email(request, reading, owner)
    _fit_currency(request, reading)
    _fit_totals(request, reading)
    if reading.money_altered:
        _forget_channel_money(request, reading)
    request.data_problems = _listed(reading.problems)
    return request
