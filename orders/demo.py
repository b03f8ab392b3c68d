"""Demo channels and orders for `manage.py seed_demo` (runs after the inventory demo).

Five channels and 300 orders in every state capture and the lifecycle services reach today:
ready, backordered, on hold for each rule and staff reason, cancelled; some placed days ago and
now late, some with notes and customer inquiries. Shipped and delivered orders arrive with the
shipping app: they are not faked here.

Each order carries the payment block its channel would send (`_payment`): cards on the web store
(mostly approved, a few declined or flaky), marketplace money already taken (a tenth still
awaited), cash at the counter, and phone orders paid by card (captured once ready: the channel
captures on confirmation) or by a bank transfer still to come. The payments app turns the blocks
into payments and its own demo seeder settles them; nothing here knows about payments.

Deterministic (fixed seeds for `random` and Faker) and idempotent: order N has the external id
DEMO-0000N on its channel, and ids already captured are skipped, so a second run adds nothing.
Every order goes through `order_capture` and the lifecycle services, like a real one, so the
stock ledger explains every unit the demo reserves.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from inventory.models import Product
from inventory.selectors import availability
from oms.money import CENT
from orders.errors import DuplicateOrder
from orders.models import HoldReason, Order, OrderStatus, SalesChannel, WebhookPlatform
from orders.services import (
    AddressData,
    CaptureRequest,
    LineData,
    order_cancel,
    order_capture,
    order_hold,
    order_inquiry_log,
    order_note_add,
    sales_channel_upsert,
)

SEED = 2026
ORDER_COUNT = 300
CUSTOMER_COUNT = 160
EXTERNAL_PREFIX = "DEMO-"

CHANNELS = (
    # code, kind, currency, name, webhook secret, share of the orders
    ("web", SalesChannel.Kind.WEB, "USD", "Web store", None, 40),
    ("shopify", SalesChannel.Kind.MARKETPLACE, "USD", "Shopify", "demo-shopify-secret", 25),
    ("woocommerce", SalesChannel.Kind.MARKETPLACE, "EUR", "WooCommerce (DE)", None, 15),
    ("pos", SalesChannel.Kind.POS, "USD", "Shop counter", None, 10),
    ("manual", SalesChannel.Kind.MANUAL, "USD", "Phone orders", None, 10),
)
# Phone orders are confirmed with the customer on the call, so their cards are charged as soon
# as the order is ready; every other channel captures when it ships (the default).
CAPTURE_POLICIES = {"manual": SalesChannel.CapturePolicy.ON_CONFIRM}
# Sandbox card tokens (see payments.gateways.sandbox) and what the demo uses them for.
CARD_APPROVED = "tok_visa"
CARD_DECLINED = "tok_declined"  # the authorization is declined: payment failed, order held
CARD_FLAKY = "tok_flaky"  # the processor times out twice, then approves
CARD_NO_FUNDS = "tok_insufficient_funds"  # authorized, but the capture is declined
TAX_RATES = {"US": Decimal("0.06625"), "DE": Decimal("0.19")}

# What happens to an order after capture, and how often (per 300). "plain" orders end ready, or
# backordered when their stock runs out; "backorder" orders ask for a product that is sold out.
SCENARIOS = (
    ("plain", 214),
    ("backorder", 20),
    ("cancelled", 24),
    ("address_invalid", 8),
    ("unknown_sku", 8),
    ("fraud_review", 7),
    ("customer_request", 7),
    ("duplicate_suspect", 6),
    ("customer_request_late", 6),
)
# Notes customers leave at checkout, and notes staff add later.
CHECKOUT_NOTES = (
    "Please leave the parcel with the neighbour at no. 12 if I am out.",
    "It is a gift: no prices on the packing slip, please.",
)
STAFF_NOTES = (
    "Regular customer: pack with care and add a thank-you card.",
    "Customer asked for the invoice by email as well; sent.",
)
INQUIRIES = (
    ("phone", "Asked when the order ships; told them within two working days."),
    ("email", "Wanted to change the size; advised to wait for the parcel and exchange."),
    ("chat", "Asked whether the hoodie runs small; sent the size chart."),
)


@dataclass
class Customer:
    email: str
    first_name: str
    last_name: str
    phone: str
    address: AddressData


@dataclass
class Spec:
    """One demo order, decided up front so every run makes the same ones."""

    channel: str
    customer: Customer
    lines: list[tuple[Product, int]]
    age: timedelta
    scenario: str
    note: str = ""
    staff_note: str = ""
    inquiry: tuple[str, str] | None = None
    discount_rate: Decimal = Decimal("0")
    extra_lines: list[LineData] = field(default_factory=list)


def demo_customers(rng: random.Random) -> list[Customer]:
    fakers = {"US": Faker("en_US"), "DE": Faker("de_DE")}
    for offset, fake in enumerate(fakers.values()):
        fake.seed_instance(SEED + offset)
    customers = []
    for index in range(CUSTOMER_COUNT):
        country = "DE" if index % 4 == 3 else "US"
        fake = fakers[country]
        first, last = fake.first_name(), fake.last_name()
        domain = rng.choice(("example.com", "example.net", "example.org"))
        name = f"{first} {last}"
        address = AddressData(
            name=name,
            line1=fake.street_address(),
            city=fake.city(),
            region=fake.state_abbr() if country == "US" else fake.state(),
            postal_code=fake.postcode(),
            country=country,
            phone=fake.phone_number(),
        )
        customers.append(
            Customer(
                email=f"{slugify(first)}.{slugify(last)}{index}@{domain}",
                first_name=first,
                last_name=last,
                phone=address.phone,
                address=address,
            )
        )
    return customers


def _specs(rng: random.Random, products: list[Product], sold_out: list[Product]) -> list[Spec]:
    customers = demo_customers(rng)
    by_country = {
        country: [customer for customer in customers if customer.address.country == country]
        for country in ("US", "DE")
    }
    scenarios = [name for name, count in SCENARIOS for _ in range(count)]
    rng.shuffle(scenarios)
    codes = [code for code, *_rest in CHANNELS]
    weights = [share for *_rest, share in CHANNELS]
    specs = []
    for scenario in scenarios[:ORDER_COUNT]:
        channel = rng.choices(codes, weights)[0]
        country = "DE" if channel == "woocommerce" or rng.random() < 0.1 else "US"
        lines = [
            (rng.choice(products), rng.choice((1, 1, 1, 2, 3))) for _ in range(rng.randint(1, 3))
        ]
        if scenario == "backorder" and sold_out:
            lines[0] = (rng.choice(sold_out), rng.randint(1, 2))
        # Most orders came in over the last day and a half; one in eight days ago (now late).
        if scenario.endswith("_late") or rng.random() < 0.12:
            age = timedelta(days=rng.uniform(3, 9))
        else:
            age = timedelta(hours=rng.uniform(0.2, 36))
        spec = Spec(
            channel=channel,
            customer=rng.choice(by_country[country]),
            lines=_merged(lines),
            age=age,
            scenario=scenario.removesuffix("_late"),
            discount_rate=Decimal("0.10") if rng.random() < 0.1 else Decimal("0"),
        )
        if rng.random() < 0.05:
            spec.note = rng.choice(CHECKOUT_NOTES)
        if rng.random() < 0.05:
            spec.staff_note = rng.choice(STAFF_NOTES)
        if rng.random() < 0.04:
            spec.inquiry = rng.choice(INQUIRIES)
        if spec.scenario == "unknown_sku":
            spec.extra_lines.append(
                LineData(sku="TEE-RED-M", quantity=1, unit_price=Decimal("24.00"))
            )
        specs.append(spec)
    plain = [spec for spec in specs if spec.scenario == "plain"]
    for spec in specs:
        if spec.scenario == "duplicate_suspect":
            _copy_as_duplicate(spec, plain.pop(), codes)
    # Oldest first, so order numbers grow with the time an order was placed.
    return sorted(specs, key=lambda spec: spec.age, reverse=True)


def _merged(lines: list[tuple[Product, int]]) -> list[tuple[Product, int]]:
    quantities: dict[Product, int] = {}
    for product, quantity in lines:
        quantities[product] = quantities.get(product, 0) + quantity
    return list(quantities.items())


def _copy_as_duplicate(spec: Spec, original: Spec, codes: list[str]) -> None:
    """The same basket from the same email, minutes later on another channel: processing
    suspects a duplicate and holds it."""
    spec.customer, spec.lines = original.customer, list(original.lines)
    spec.channel = next(code for code in codes if code != original.channel)
    spec.age = original.age - timedelta(minutes=4)


def _card(token: str) -> dict:
    return {"gateway": "sandbox", "method": "card", "token": token}


def _payment(number: int, channel: SalesChannel, grand_total: Decimal) -> dict:
    """The payment block order `number` arrives with, as its channel would send it.

    Chosen from the order's number alone, so every run sends the same blocks. Without `amount`
    the money is still to come; with it, the money was taken already (at the counter, on the
    marketplace) and is recorded as paid.
    """
    if channel.kind == SalesChannel.Kind.WEB:
        if number % 15 == 7:
            return _card(CARD_DECLINED)
        if number % 15 == 11:
            return _card(CARD_FLAKY)
        return _card(CARD_APPROVED)
    if channel.kind == SalesChannel.Kind.MARKETPLACE:
        # The method names the channel, as the Shopify and WooCommerce webhooks do.
        if number % 10 == 3:
            return {"gateway": "marketplace", "method": channel.code}
        return {"gateway": "marketplace", "method": channel.code, "amount": str(grand_total)}
    if channel.kind == SalesChannel.Kind.POS:
        return {"gateway": "manual", "method": "cash", "amount": str(grand_total)}
    if number % 12 == 5:
        return _card(CARD_NO_FUNDS)
    if number % 2 == 0:
        return _card(CARD_APPROVED)
    return {"gateway": "manual", "method": "bank_transfer"}


def _capture_request(
    spec: Spec, number: int, external_id: str, channel: SalesChannel, now
) -> CaptureRequest:
    customer = spec.customer
    address = AddressData(**vars(customer.address))
    if spec.scenario == "address_invalid":
        address.postal_code = ""
    lines = [
        LineData(sku=product.sku, quantity=quantity, unit_price=product.price)
        for product, quantity in spec.lines
    ] + spec.extra_lines
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    discount = (subtotal * spec.discount_rate).quantize(CENT)
    shipping = Decimal("0") if subtotal >= 75 else Decimal("5.95")
    if channel.kind == SalesChannel.Kind.POS:
        shipping = Decimal("0")
    tax = ((subtotal - discount) * TAX_RATES[address.country]).quantize(CENT)
    # What the channel says the order totals, worked out the way capture does.
    grand_total = (subtotal + shipping + tax - discount).quantize(CENT)
    return CaptureRequest(
        # Demo customers are not real people: no confirmation emails.
        notify_customer=False,
        external_id=external_id,
        # Shopify's own name for the order (`#1042`), which its customers quote.
        channel_order_name=f"#{1000 + number}" if channel.code == "shopify" else "",
        currency=channel.currency,
        email=customer.email,
        first_name=customer.first_name,
        last_name=customer.last_name,
        phone=customer.phone,
        lines=lines,
        shipping_address=address,
        shipping_method="Standard" if shipping else "Free shipping",
        shipping_total=shipping,
        tax_total=tax,
        discount_total=discount,
        payment=_payment(number, channel, grand_total),
        note=spec.note,
        placed_at=now - spec.age,
        origin=(
            Order.Origin.MANUAL
            if channel.kind == SalesChannel.Kind.MANUAL
            else Order.Origin.CHANNEL
        ),
    )


def _follow_up(order: Order, spec: Spec, actor) -> None:
    """What staff did after capture: holds, cancellations, notes, inquiries."""
    if spec.scenario == "fraud_review":
        order_hold(
            order=order,
            reason=HoldReason.FRAUD_REVIEW,
            note="Shipping address is new and the order is far above this customer's usual.",
            actor=actor,
        )
    elif spec.scenario == "customer_request":
        order_hold(
            order=order,
            reason=HoldReason.CUSTOMER_REQUEST,
            note="Customer asked us to wait until they are back from holiday.",
            actor=actor,
        )
    elif spec.scenario == "cancelled":
        order_cancel(order=order, reason="customer changed their mind", actor=actor)
    if spec.staff_note:
        order_note_add(order=order, text=spec.staff_note, actor=actor)
    if spec.inquiry:
        channel, summary = spec.inquiry
        order_inquiry_log(order=order, channel=channel, summary=summary, actor=actor)


def demo_channels() -> tuple[dict[str, SalesChannel], int]:
    """The demo channels; existing ones are left as they are."""
    found = {channel.code: channel for channel in SalesChannel.objects.all()}
    created = 0
    for code, kind, currency, name, secret, _share in CHANNELS:
        if code not in found:
            found[code], _ = sales_channel_upsert(
                code=code,
                kind=kind,
                currency=currency,
                name=name,
                webhook_secret=secret,
                webhook_platform=code if code in WebhookPlatform.values else "",
                capture_policy=CAPTURE_POLICIES.get(code),
            )
            created += 1
    return found, created


def seed_orders(actor=None) -> dict:
    rng = random.Random(SEED)
    with transaction.atomic():
        channels, new_channels = demo_channels()
        products = list(Product.objects.active().order_by("sku"))
        if not products:
            return {"new_channels": new_channels, "new_orders": 0}
        stock = availability(skus=[product.sku for product in products])
        available = {sku: figures["available"] for sku, figures in stock.items()}
        # Ordinary baskets come from well-stocked shelves; the backorder cases from sold-out ones.
        stocked = [product for product in products if available[product.sku] >= 10] or products
        sold_out = [product for product in products if not available[product.sku]]
        # The external id alone says whether an order was seeded before: the second run may
        # see other stock and so draw other baskets, but never captures DEMO-00042 again.
        existing = set(
            Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX).values_list(
                "external_id", flat=True
            )
        )
        now = timezone.now()
        new_orders = 0
        for number, spec in enumerate(_specs(rng, stocked, sold_out), start=1):
            external_id = f"{EXTERNAL_PREFIX}{number:05d}"
            if external_id in existing:
                continue
            channel = channels[spec.channel]
            request = _capture_request(spec, number, external_id, channel, now)
            staff = channel.kind in (SalesChannel.Kind.MANUAL, SalesChannel.Kind.POS)
            try:
                order = order_capture(
                    channel=channel,
                    request=request,
                    source="manual" if staff else "api",
                    actor=actor if staff else None,
                    actor_label=None if staff else f"api:{channel.name} demo",
                )
            except DuplicateOrder:
                continue
            _follow_up(order, spec, actor)
            new_orders += 1
    return {"new_channels": new_channels, "new_orders": new_orders, **_status_counts()}


def _status_counts() -> dict:
    demo = Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
    counts = {
        status.value: demo.filter(status=status).count()
        for status in (
            OrderStatus.READY,
            OrderStatus.BACKORDERED,
            OrderStatus.ON_HOLD,
            OrderStatus.CANCELLED,
        )
    }
    return {**counts, "late": demo.late().count()}
