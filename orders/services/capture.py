"""Order capture: the one service behind every door (REST, Shopify, WooCommerce, CSV, manual).

Each door translates its input into a `CaptureRequest`. The order is stored once per
(channel, external_id), processed in the same transaction (so the caller learns `ready`,
`backordered` or `on_hold` at once), and announced after commit (confirmation email, webhooks).
A capture is a dozen statements whatever its line count, with the stock locked only for its
last few writes (`orders.services.capture_store`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, OperationalError, transaction

from inventory.errors import StockMoved
from oms.money import MAX_MONEY, ZERO, to_money
from oms.rows import insert_row_unless_taken
from oms.validators import CURRENCY_CODE_MESSAGE, is_currency_code
from orders.errors import DuplicateOrder, OrderInvalid
from orders.models import Customer, Order, SalesChannel
from orders.services.capture_reads import customer_lookup_later, send_reads
from orders.services.capture_store import store_capture
from orders.services.common import check_order_fits, on_commit
from orders.services.notifications import order_confirmations_nudge

MAX_QUANTITY = 100_000
# The first attempt plans on levels as read and locks them last; the next ones lock them as they
# read them (after the stock moved under the first, or a deadlock with a twin capture).
ATTEMPTS = (False, True, True)
DEADLOCK = "40P01"
EMAIL_MAX_LENGTH = Order._meta.get_field("email").max_length


@dataclass
class AddressData:
    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""


@dataclass
class LineData:
    sku: str
    quantity: int
    unit_price: Decimal
    name: str = ""


@dataclass
class CaptureRequest:
    external_id: str
    currency: str
    email: str
    lines: list[LineData]
    shipping_address: AddressData
    billing_address: AddressData | None = None
    # The channel's own name for the order (Shopify's "#1042"), which customers quote.
    channel_order_name: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    shipping_method: str = ""
    shipping_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    payment: dict = field(default_factory=dict)
    allow_backorder: bool = True
    note: str = ""
    placed_at: datetime | None = None
    # What the channel says the order totals; a mismatch with our sum holds the order.
    channel_grand_total: Decimal | None = None
    origin: str = Order.Origin.CHANNEL
    original_order: Order | None = None
    # False for orders that are not news to the customer (historical imports, demo data).
    notify_customer: bool = True
    # The manual builder's draft: one order per draft, however often (or concurrently) posted.
    draft_token: str = ""
    # What a channel door had to change to store the order (a figure out of range, an unusable
    # email, an impossible date): the order is captured and held with these reasons.
    data_problems: list[str] = field(default_factory=list)


def customer_for(
    *, email: str, first_name: str = "", last_name: str = "", phone: str = "", found=None
):
    """Find the customer by email (case-insensitive) or create them; fill in blanks we learn.
    `found`: the caller's read of them (`capture_store.customer_lookup_later`), if it has one."""
    email = email.strip().lower()
    first_name, last_name = (first_name or "").strip()[:100], (last_name or "").strip()[:100]
    phone = (phone or "").strip()[:40]
    if found is None:
        found = customer_lookup_later(email).result()
    if not found:
        customer = Customer(email=email, first_name=first_name, last_name=last_name, phone=phone)
        customer.set_derived()
        if insert_row_unless_taken(customer, unique=("email",)):
            return customer
        # Another request created them since our read.
        found = customer_lookup_later(email).result()
    customer = found[0][0]
    changed = []
    for name, value in (("first_name", first_name), ("last_name", last_name), ("phone", phone)):
        if value and not getattr(customer, name):
            setattr(customer, name, value)
            changed.append(name)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def _check_request(request: CaptureRequest) -> None:
    fields = {}
    if not request.lines:
        fields["lines"] = ["An order needs at least one line."]
    for index, line in enumerate(request.lines):
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            fields[f"lines.{index}.quantity"] = ["Must be a whole number."]
        elif not 0 < line.quantity <= MAX_QUANTITY:
            fields[f"lines.{index}.quantity"] = [f"Must be between 1 and {MAX_QUANTITY}."]
        elif not 0 <= to_money(line.unit_price) * line.quantity <= MAX_MONEY:
            fields[f"lines.{index}.unit_price"] = ["Must be zero or more, and not absurdly large."]
    for name in ("shipping_total", "tax_total", "discount_total"):
        if not 0 <= to_money(getattr(request, name)) <= MAX_MONEY:
            fields[name] = ["Must be zero or more, and not absurdly large."]
    if "@" not in (request.email or ""):
        fields["customer.email"] = ["An email address is required."]
    elif len(request.email.strip()) > EMAIL_MAX_LENGTH:
        fields["customer.email"] = [f"At most {EMAIL_MAX_LENGTH} characters."]
    if request.currency and not is_currency_code(request.currency):
        fields["currency"] = [CURRENCY_CODE_MESSAGE]
    if fields:
        raise OrderInvalid("The order has invalid fields.", fields=fields)
    subtotal = sum((to_money(line.unit_price) * line.quantity for line in request.lines), ZERO)
    check_order_fits(
        subtotal=subtotal,
        grand_total=subtotal + to_money(request.shipping_total) + to_money(request.tax_total),
        units=sum(line.quantity for line in request.lines),
    )


def _existing_number(channel: SalesChannel, external_id: str) -> str | None:
    return (
        Order.objects.filter(channel=channel, external_id=external_id)
        .values_list("number", flat=True)
        .first()
    )


def _duplicate(channel: SalesChannel, request: CaptureRequest) -> DuplicateOrder | None:
    """The error for an order stored before: the channel's external id, or the same draft."""
    number = _existing_number(channel, request.external_id) if request.external_id else None
    if number:
        return DuplicateOrder(
            f"This channel already sent order {request.external_id} as {number}.",
            existing_number=number,
        )
    if request.draft_token:
        placed = Order.objects.filter(draft_token=request.draft_token)
        number = placed.values_list("number", flat=True).first()
        if number:
            return DuplicateOrder(
                f"This draft was already placed as order {number}.", existing_number=number
            )
    return None


def order_capture(
    *,
    channel: SalesChannel,
    request: CaptureRequest,
    source: str,
    actor=None,
    actor_label: str | None = None,
    on_stored: Callable[[Order], None] | None = None,
) -> Order:
    """Store, process and announce one order; raises DuplicateOrder when seen before.

    `on_stored(order)` runs inside the capture's transaction once the order is stored, so what
    it writes commits with the order (the API remembers the order under the request's
    Idempotency-Key there). How the order is stored: `orders.services.capture_store`.
    """
    _check_request(request)
    request.external_id = (request.external_id or "").strip()[:100]
    for attempt, lock_first in enumerate(ATTEMPTS, start=1):
        try:
            with transaction.atomic():
                order = _capture(channel, request, source, actor, actor_label, lock_first)
                if on_stored is not None:
                    on_stored(order)
                return order
        except StockMoved:
            # Another order took the stock between our read and our lock: plan again, this
            # time on levels locked as they are read.
            continue
        except OperationalError as error:
            # A capture planning under locks and another capture of the same order (same
            # external id) each waited for the other; PostgreSQL stopped one. Going again
            # ends in DuplicateOrder once the other one commits.
            if getattr(error.__cause__, "sqlstate", None) != DEADLOCK or attempt == len(ATTEMPTS):
                raise
        except IntegrityError:
            # The order was stored before (the channel's external id, or the same draft), or
            # two requests for it raced and the database let the other one store it first.
            if duplicate := _duplicate(channel, request):
                raise duplicate from None
            raise
    raise AssertionError("A capture with its levels locked first cannot find them moved.")


def _capture(channel, request: CaptureRequest, source, actor, actor_label, lock_first) -> Order:
    reads = send_reads(channel, request, lock_first=lock_first)
    customer = customer_for(
        email=request.email,
        first_name=request.first_name,
        last_name=request.last_name,
        phone=request.phone,
        found=reads.customer.result(),
    )
    order = store_capture(
        channel,
        request,
        customer=customer,
        reads=reads,
        source=source,
        actor=actor,
        actor_label=actor_label,
        lock_first=lock_first,
    )
    if order.confirmation_due:
        on_commit(order_confirmations_nudge)
    return order
