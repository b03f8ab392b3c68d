"""Order capture: the one service behind every door (REST, Shopify, WooCommerce, CSV, manual).

Each door translates its input into a `CaptureRequest`. The order is stored once per
(channel, external_id), processed in the same transaction (so the caller learns `ready`,
`backordered` or `on_hold` at once), and announced after commit (confirmation email, webhooks).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from oms.money import MAX_MONEY, ZERO, to_money
from oms.validators import CURRENCY_CODE_MESSAGE, is_currency_code, normalize_country
from oms.webhooks import webhook_publish
from orders import events
from orders.errors import DuplicateOrder, OrderInvalid
from orders.models import Address, Customer, HoldReason, Order, OrderLine, SalesChannel
from orders.services.common import check_order_fits, on_commit, run_transition, ship_by_for
from orders.services.processing import place_hold, process_order, products_for_skus
from orders.signals import order_captured

MAX_QUANTITY = 100_000
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


def _address(data: AddressData | None) -> Address | None:
    if data is None:
        return None
    values = {name: str(getattr(data, name) or "").strip() for name in Address.FIELDS}
    values["country"] = normalize_country(values["country"])
    for name in Address.FIELDS:
        values[name] = values[name][: Address._meta.get_field(name).max_length]
    return Address.objects.create(**values)


def customer_for(*, email: str, first_name: str = "", last_name: str = "", phone: str = ""):
    """Find the customer by email (case-insensitive) or create them; fill in blanks we learn."""
    email = email.strip().lower()
    first_name, last_name = (first_name or "").strip()[:100], (last_name or "").strip()[:100]
    phone = (phone or "").strip()[:40]
    customer, created = Customer.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "phone": phone}
    )
    if not created:
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
) -> Order:
    """Store, process and announce one order; raises DuplicateOrder when seen before."""
    _check_request(request)
    request.external_id = (request.external_id or "").strip()[:100]
    if duplicate := _duplicate(channel, request):
        raise duplicate
    try:
        with transaction.atomic():
            return _capture(channel, request, source, actor, actor_label)
    except IntegrityError:
        # Two requests for one order raced (the same external id, or the same draft posted
        # twice); the database let the other one store it first.
        if duplicate := _duplicate(channel, request):
            raise duplicate from None
        raise


def _capture(channel, request: CaptureRequest, source, actor, actor_label) -> Order:
    customer = customer_for(
        email=request.email,
        first_name=request.first_name,
        last_name=request.last_name,
        phone=request.phone,
    )
    products = products_for_skus(line.sku for line in request.lines)
    lines = [
        OrderLine(
            product=products.get(line.sku.strip()),
            sku=line.sku.strip()[:64],
            name=(line.name or getattr(products.get(line.sku.strip()), "name", ""))[:200],
            quantity=line.quantity,
            unit_price=to_money(line.unit_price),
            line_total=to_money(line.unit_price) * line.quantity,
        )
        for line in request.lines
    ]
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    shipping, tax = to_money(request.shipping_total), to_money(request.tax_total)
    discount = to_money(request.discount_total)
    grand_total = subtotal + shipping + tax - discount
    if grand_total < 0:
        raise OrderInvalid(
            "The discount is larger than the order.",
            fields={"discount_total": ["Cannot exceed subtotal, shipping and tax."]},
        )
    placed_at = request.placed_at or timezone.now()
    order = Order.objects.create(
        channel=channel,
        external_id=request.external_id,
        channel_order_name=(request.channel_order_name or "").strip()[:100],
        customer=customer,
        email=customer.email,
        shipping_address=_address(request.shipping_address),
        billing_address=_address(request.billing_address),
        currency=(request.currency or channel.currency).upper()[:3],
        subtotal=subtotal,
        shipping_total=shipping,
        tax_total=tax,
        discount_total=discount,
        grand_total=grand_total,
        balance_due=grand_total,
        units=sum(line.quantity for line in lines),
        origin=request.origin,
        original_order=request.original_order,
        shipping_method=request.shipping_method[:50],
        allow_backorder=request.allow_backorder,
        payment_request=request.payment or {},
        confirmation_due=request.notify_customer,
        placed_at=placed_at,
        draft_token=request.draft_token,
    )
    order.number = f"SO-{order.pk:06d}"
    order.ship_by = ship_by_for(order)
    order.save(update_fields=["number", "ship_by"])
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)

    events.order_captured(order, actor=actor, actor_label=actor_label, source=source)
    if request.note:
        events.note_added(order, text=request.note, actor=actor)
    run_transition(order, "place", actor=actor, actor_label=actor_label)
    if request.data_problems:
        place_hold(order, HoldReason.INVALID_DATA, " ".join(request.data_problems))
    if request.channel_grand_total is not None and (
        to_money(request.channel_grand_total) != grand_total
    ):
        place_hold(
            order,
            "manual",
            f"Totals do not add up: the channel says {to_money(request.channel_grand_total)}, "
            f"the lines, shipping, tax and discount make {grand_total}.",
        )
    process_order(order, actor=actor, actor_label=actor_label, first_time=True)

    webhook_publish(
        event="order.created",
        payload={
            "number": order.number,
            "external_id": order.external_id,
            "channel": channel.code,
            "status": order.status,
            "grand_total": str(order.grand_total),
            "currency": order.currency,
        },
    )
    order_captured.send(sender=Order, order=order)
    if order.confirmation_due:
        # Imported here: the tasks module imports these services.
        from orders.tasks import send_order_confirmation

        on_commit(partial(send_order_confirmation.delay, order.pk))
    return order
