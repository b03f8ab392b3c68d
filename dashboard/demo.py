"""Ninety days of order history for `manage.py seed_demo`, so the dashboard tells a story.

Runs last, after every other app's demo. Each day brings a handful of orders (fewer at the
weekend, slowly growing), paid, shipped and delivered; some are cancelled before they ship,
some come back and are refunded. Then the story: ten days ago the Newark fulfillment center
fell behind — its parcels take two to three days to leave — and orders from the last five days
still sit there, ready but unshipped, many past their ship-by. The dashboard shows the
bottleneck in its pipeline (ready, 1–3 days and over 3 days), the on-time share falling and
the lead time growing, with three months of volume, revenue and returns behind it.

Every order is made by the real services, so stock, ledger and money agree: a weekly receipt
brings in what the week sells, capture reserves, shipping consumes, returns restock and refund.
The services stamp today's time; after each batch of orders, their rows are moved back to when
each step happened (`Clock`). Deterministic (fixed seed) and idempotent: when history orders
exist, nothing is made. `seed_demo --skip history` leaves it out (it takes half a minute).
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Value, When
from django.utils import timezone

from inventory.models import Product, Warehouse
from inventory.selectors import availability
from inventory.services import stock_receive_lines
from oms.money import CENT
from orders.demo import CHANNELS, TAX_RATES, Customer, demo_channels, demo_customers
from orders.models import Order, OrderStatus, SalesChannel
from orders.services import AddressData, CaptureRequest, LineData, order_cancel, order_capture
from payments.demo import run_owed_calls
from returns.models import Condition, Resolution, ReturnReason
from returns.services import (
    ReceivedUnits,
    ReturnLineData,
    return_approve,
    return_create,
    return_receive,
    return_refund,
)
from shipping.demo import demo_carriers
from shipping.models import Shipment, ShipmentStatus, TrackingEvent
from shipping.services import (
    carrier_event_receive,
    shipment_label_make,
    shipment_ship,
    shipments_create,
)

SEED = 2090
HISTORY_DAYS = 90
EXTERNAL_PREFIX = "HIST-"
# Orders per day at the start of the history; the shop grows by half over the period.
WEEKDAY_ORDERS, WEEKEND_ORDERS, GROWTH = 4, 2, Decimal("0.5")
# The warehouse that falls behind, since how many days, and the orders it has not shipped yet.
SLOW_WAREHOUSE = "EWR"
SLOW_SINCE = timedelta(days=10)
STUCK_SINCE = timedelta(days=5)
CANCEL_SHARE, RETURN_SHARE = 0.03, 0.08
# Parcels shipped this recently may still be stuck with the carrier.
RECENT, EXCEPTION_SHARE = timedelta(days=7), 0.05
RETURN_REASONS = (
    (ReturnReason.CHANGED_MIND, 40),
    (ReturnReason.NOT_AS_DESCRIBED, 25),
    (ReturnReason.DEFECTIVE, 15),
    (ReturnReason.WRONG_ITEM, 12),
    (ReturnReason.DAMAGED_IN_TRANSIT, 8),
)
# Fields that say when something is due, not when it happened: never moved back.
SCHEDULE_FIELDS = {"ship_by", "promised_at", "next_attempt_at", "label_leased_until"}
REWOUND_APPS = ("oms", "inventory", "orders", "payments", "shipping", "returns")
# Orders played between two rewinds of the clock.
REWIND_BATCH = 50


@dataclass
class Plan:
    """One historical order, decided up front so every run makes the same ones."""

    placed_at: datetime
    channel: str
    customer: Customer
    lines: list[tuple[Product, int]]
    cancelled_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    exception: bool = False
    returned: ReturnReason | None = None
    return_opened_at: datetime | None = None
    return_received_at: datetime | None = None


def _moment(day: date, rng: random.Random) -> datetime:
    """A time of day in the shop's zone, busier in the evening."""
    hour = min(23.9, rng.triangular(7, 23.5, 20))
    return timezone.make_aware(datetime.combine(day, time.min) + timedelta(hours=hour))


def _plans(rng: random.Random, days: int, now: datetime, products: list[Product]) -> list[Plan]:
    customers = demo_customers(rng)
    by_country = {
        country: [customer for customer in customers if customer.address.country == country]
        for country in ("US", "DE")
    }
    codes = [code for code, *_rest in CHANNELS]
    weights = [share for *_rest, share in CHANNELS]
    reasons = [reason for reason, share in RETURN_REASONS for _ in range(share)]
    today = timezone.localdate(now)
    plans = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        base = WEEKEND_ORDERS if day.weekday() >= 5 else WEEKDAY_ORDERS
        count = round(base * (1 + GROWTH * (days - back) / days)) + rng.randint(-1, 2)
        for _ in range(max(0, count)):
            placed_at = _moment(day, rng)
            if placed_at >= now - timedelta(hours=1):
                continue
            channel = rng.choices(codes, weights)[0]
            country = "DE" if channel == "woocommerce" else "US"
            lines = {
                rng.choice(products): rng.choice((1, 1, 1, 2)) for _ in range(rng.randint(1, 3))
            }
            plan = Plan(placed_at, channel, rng.choice(by_country[country]), list(lines.items()))
            _schedule(plan, rng, now, reasons)
            plans.append(plan)
    return sorted(plans, key=lambda plan: plan.placed_at)


def _schedule(plan: Plan, rng: random.Random, now: datetime, reasons: list[str]) -> None:
    """When the order is cancelled, ships, arrives and comes back (None: not yet)."""
    if rng.random() < CANCEL_SHARE:
        plan.cancelled_at = plan.placed_at + timedelta(hours=rng.uniform(0.5, 6))
        return
    slow = plan.placed_at >= now - SLOW_SINCE
    if slow and plan.placed_at >= now - STUCK_SINCE:
        return  # still waiting at the slow warehouse
    hours = rng.uniform(30, 70) if slow else rng.triangular(2, 40, 14)
    plan.shipped_at = plan.placed_at + timedelta(hours=hours)
    if plan.shipped_at >= now - timedelta(hours=1):
        plan.shipped_at = None
        return
    arrives = plan.shipped_at + timedelta(days=rng.uniform(1.5, 4))
    if plan.shipped_at >= now - RECENT and rng.random() < EXCEPTION_SHARE:
        plan.exception = True
        return
    if arrives >= now:
        return
    plan.delivered_at = arrives
    if rng.random() < RETURN_SHARE:
        opened = arrives + timedelta(days=rng.uniform(1, 12), hours=rng.uniform(0, 8))
        if opened < now - timedelta(hours=2):
            plan.returned = ReturnReason(rng.choice(reasons))
            plan.return_opened_at = opened
            received = opened + timedelta(days=rng.uniform(3, 7))
            plan.return_received_at = received if received < now - timedelta(hours=1) else None


def _request(plan: Plan, number: int, channel: SalesChannel) -> CaptureRequest:
    address = AddressData(**vars(plan.customer.address))
    lines = [
        LineData(sku=product.sku, quantity=quantity, unit_price=product.price)
        for product, quantity in plan.lines
    ]
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    shipping = Decimal("0") if subtotal >= 75 else Decimal("5.95")
    tax = (subtotal * TAX_RATES[address.country]).quantize(CENT)
    total = subtotal + shipping + tax
    if channel.kind in (SalesChannel.Kind.WEB, SalesChannel.Kind.MANUAL):
        payment = {"gateway": "sandbox", "method": "card", "token": "tok_visa"}
    elif channel.kind == SalesChannel.Kind.POS:
        payment = {"gateway": "manual", "method": "cash", "amount": str(total)}
    else:
        payment = {"gateway": "marketplace", "method": channel.code, "amount": str(total)}
    customer = plan.customer
    return CaptureRequest(
        notify_customer=False,
        external_id=f"{EXTERNAL_PREFIX}{number:05d}",
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
        payment=payment,
        placed_at=plan.placed_at,
    )


class Clock:
    """Where each step of the history ran on today's clock and when it happened, so the time
    stamps the services wrote can be moved back (`rewind`) a batch of orders at a time."""

    def __init__(self) -> None:
        self.fields = [
            (model, model_field.name)
            for label in REWOUND_APPS
            for model in apps.get_app_config(label).get_models()
            for model_field in model._meta.concrete_fields
            if isinstance(model_field, models.DateTimeField)
            and model_field.name not in SCHEDULE_FIELDS
        ]
        self.steps: list[tuple[datetime, timedelta]] = []

    def step(self, when: datetime) -> None:
        """What follows happened at `when`."""
        mark = timezone.now()
        self.steps.append((mark, when - mark))

    def rewind(self) -> None:
        """Move every time stamped since the first step back by its step's offset: one update
        per time-stamp column, whatever the number of steps."""
        if not self.steps:
            return
        first = self.steps[0][0]
        for model, name in self.fields:
            stamped = model.objects.filter(**{f"{name}__gte": first})
            if not stamped.exists():
                continue
            offset = Case(
                *[
                    When(**{f"{name}__gte": mark}, then=Value(delta))
                    for mark, delta in reversed(self.steps)
                ],
                output_field=models.DurationField(),
            )
            stamped.update(
                **{name: ExpressionWrapper(F(name) + offset, output_field=models.DateTimeField())}
            )
        self.steps.clear()


def _track(shipment: Shipment, kind: str, when: datetime, description: str) -> None:
    carrier_event_receive(
        carrier=shipment.method.carrier,
        payload={
            "tracking_number": shipment.tracking_number,
            "status": kind,
            "occurred_at": when.isoformat(),
            "location": shipment.warehouse.city,
            "description": description,
        },
    )


def _ship(plan: Plan, order: Order, clock: Clock, actor) -> None:
    clock.step(plan.shipped_at)
    shipments = shipments_create(order=order, pack_unscanned=True, actor=actor)
    for shipment in shipments:
        shipment_label_make(shipment_id=shipment.pk, ignore_schedule=True)
        shipment = Shipment.objects.select_related("method__carrier", "warehouse").get(
            pk=shipment.pk
        )
        if shipment.status != ShipmentStatus.LABEL_READY:
            continue
        shipment_ship(shipment=shipment, actor=actor, notify_customer=False)
        collected = plan.shipped_at + timedelta(hours=3)
        _track(shipment, TrackingEvent.Kind.IN_TRANSIT, collected, "Collected")
        if plan.exception:
            _track(
                shipment,
                TrackingEvent.Kind.EXCEPTION,
                collected + timedelta(days=1),
                "Parcel damaged at the sorting centre",
            )
        elif plan.delivered_at:
            _track(shipment, TrackingEvent.Kind.DELIVERED, plan.delivered_at, "Delivered")
    run_owed_calls(prefix=EXTERNAL_PREFIX)


def _return(plan: Plan, order: Order, clock: Clock, actor) -> None:
    clock.step(plan.return_opened_at)
    line = min(order.lines.all(), key=lambda line: line.pk)
    rma = return_create(
        order=order,
        lines=[ReturnLineData(line.sku, 1, plan.returned)],
        resolution=Resolution.REFUND,
        notify_customer=False,
        actor=actor,
    )
    rma = return_approve(rma=rma, actor=actor)
    if plan.return_received_at is None:
        return
    clock.step(plan.return_received_at)
    damaged = plan.returned in (ReturnReason.DEFECTIVE, ReturnReason.DAMAGED_IN_TRANSIT)
    condition = Condition.DAMAGED if damaged else Condition.SELLABLE
    rma = return_receive(rma=rma, lines=[ReceivedUnits(line.sku, 1, condition)], actor=actor)
    return_refund(rma=rma, actor=actor)
    run_owed_calls(prefix=EXTERNAL_PREFIX)


def _play(plan: Plan, number: int, channel: SalesChannel, clock: Clock, actor) -> None:
    clock.step(plan.placed_at)
    staff = channel.kind in (SalesChannel.Kind.MANUAL, SalesChannel.Kind.POS)
    order = order_capture(
        channel=channel,
        request=_request(plan, number, channel),
        source="manual" if staff else "api",
        actor=actor if staff else None,
        actor_label=None if staff else f"api:{channel.name} demo",
    )
    run_owed_calls(prefix=EXTERNAL_PREFIX)
    order.refresh_from_db()
    if plan.cancelled_at:
        clock.step(plan.cancelled_at)
        order_cancel(order=order, reason="customer changed their mind", actor=actor)
        run_owed_calls(prefix=EXTERNAL_PREFIX)
    elif plan.shipped_at and order.status == OrderStatus.READY:
        _ship(plan, order, clock, actor)
        if plan.returned:
            _return(plan, Order.objects.get(pk=order.pk), clock, actor)


def _receive_weekly(plans: list[Plan], warehouse: Warehouse, clock: Clock, actor) -> None:
    """Each Monday the week's sales arrive at the main warehouse (booked before the orders)."""
    weeks: dict[date, Counter] = {}
    for plan in plans:
        if plan.cancelled_at:
            continue
        day = timezone.localdate(plan.placed_at)
        week = weeks.setdefault(day - timedelta(days=day.weekday()), Counter())
        for product, quantity in plan.lines:
            week[product] += quantity
    for monday, wanted in sorted(weeks.items()):
        first = min(
            plan.placed_at for plan in plans if timezone.localdate(plan.placed_at) >= monday
        )
        opening = timezone.make_aware(datetime.combine(monday, time(7)))
        clock.step(min(opening, first - timedelta(minutes=5)))
        stock_receive_lines(
            warehouse=warehouse,
            lines=sorted(wanted.items(), key=lambda item: item[0].sku),
            actor=actor,
            reference=f"PO-{monday:%Y%m%d}",
            note="Weekly replenishment",
        )
    clock.rewind()


def seed_history(actor=None, *, days: int = HISTORY_DAYS) -> dict:
    made = 0
    if days and not Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX).exists():
        channels, _ = demo_channels()
        demo_carriers()
        warehouse = Warehouse.objects.filter(code=SLOW_WAREHOUSE).first()
        products = list(Product.objects.active().order_by("sku"))
        stock = availability(skus=[product.sku for product in products])
        # Sold from shelves that are well stocked today, so the other demos keep their story.
        stocked = [product for product in products if stock[product.sku]["available"] >= 10]
        if warehouse is not None and stocked:
            plans = _plans(random.Random(SEED), days, timezone.now(), stocked)
            clock = Clock()
            # No transaction around it all: gateway calls run in transactions of their own.
            _receive_weekly(plans, warehouse, clock, actor)
            for number, plan in enumerate(plans, start=1):
                _play(plan, number, channels[plan.channel], clock, actor)
                made += 1
                if number % REWIND_BATCH == 0:
                    clock.rewind()
            clock.rewind()
    history = Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
    return {
        "new_orders": made,
        "shipped": history.filter(shipped_at__isnull=False).count(),
        "waiting": history.filter(status=OrderStatus.READY).count(),
        "late": history.late().count(),
    }
