"""The rows `bench/capture.py` works on: its fixtures (through the services), the orders it plans,
the existing orders it seeds with set-based SQL (`--existing`), and the exactness check of the
hot-SKU run. Everything is removed afterwards unless `--keep`."""

import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import psycopg

PRODUCT_COUNT = 40
CUSTOMER_COUNT = 200
STOCK_PER_PRODUCT = 1_000_000
SEED_CHUNK = 100_000
# A removal racing the server recording a confirmation on one of the orders is tried again.
REMOVE_ATTEMPTS = 10
SHIPPING = Decimal("4.95")
ADDRESS = {
    "name": "Bench Customer",
    "line1": "1 Load Test Lane",
    "city": "Newark",
    "region": "NJ",
    "postal_code": "07114",
    "country": "US",
}

# A product line: (product id, sku, name, price, stock level id).
Product = tuple[int, str, str, Decimal, int]


@dataclass
class Fixture:
    tag: str
    channel_id: int
    currency: str
    sla_hours: int
    key: str
    warehouse_id: int
    products: list[Product]
    hot: Product | None = None  # `--hot-sku`: one product with little stock
    seed_channel_id: int | None = None  # `--existing`: the channel the seeded orders are on

    def email(self, number: int) -> str:
        return f"bench-{self.tag}-{number}@example.com"


def create_fixture(tag: str, hot_stock: int | None = None) -> Fixture:
    """Channel, key, warehouse, products and stock, through the services (ledger included)."""
    from django.db import transaction

    from inventory import services as stock
    from inventory.models import Product, StockLevel, Warehouse
    from orders.services import channel_api_key_create, sales_channel_upsert

    with transaction.atomic():
        channel, _ = sales_channel_upsert(code=f"bench-{tag}", kind="web", currency="USD")
        _, key = channel_api_key_create(channel=channel, name=f"bench {tag}")
        warehouse = Warehouse.objects.create(
            code=f"B{tag[:10]}", name=f"Bench {tag}", country="US", priority=0
        )
        products = Product.objects.bulk_create(
            Product(sku=f"BENCH-{tag}-{n:02d}", name=f"Bench item {n}", price=Decimal(5 + n))
            for n in range(PRODUCT_COUNT)
        )
        receipts = [(product, STOCK_PER_PRODUCT) for product in products]
        if hot_stock is not None:
            hot = Product.objects.create(sku=f"BENCH-{tag}-HOT", name="Hot item", price=Decimal(9))
            receipts.append((hot, hot_stock))
        stock.stock_receive_lines(warehouse=warehouse, lines=receipts, reference=f"bench:{tag}")
        levels = dict(
            StockLevel.objects.filter(warehouse=warehouse).values_list("product_id", "pk")
        )
    lines = [(p.pk, p.sku, p.name, p.price, levels[p.pk]) for p, _ in receipts]
    return Fixture(
        tag=tag,
        channel_id=channel.pk,
        currency=channel.currency,
        sla_hours=channel.sla_hours,
        key=key,
        warehouse_id=warehouse.pk,
        products=lines[:PRODUCT_COUNT],
        hot=lines[PRODUCT_COUNT] if hot_stock is not None else None,
    )


def remove_fixture(fixture: Fixture) -> None:
    """Delete every row the run created: orders and what hangs off them, then the fixtures.

    The server may still be sending confirmations (a batch is due half a second after the last
    capture): the orders stop owing them first, and a removal that races an email being
    recorded on one of them is tried again once that send is done."""
    from django.db import IntegrityError

    from orders.models import Order

    Order.objects.filter(channel_id=fixture.channel_id).update(confirmation_due=False)
    for _ in range(REMOVE_ATTEMPTS - 1):
        try:
            return _remove_fixture(fixture)
        except IntegrityError:
            time.sleep(1)
    _remove_fixture(fixture)


def _remove_fixture(fixture: Fixture) -> None:
    from django.db import transaction

    from inventory.models import Product, StockLevel, StockMovement, Warehouse
    from oms.models import ApiClient
    from orders.models import Address, Customer, Order, SalesChannel

    with transaction.atomic():
        orders = Order.objects.filter(channel_id=fixture.channel_id)
        addresses = list(orders.values_list("shipping_address_id", flat=True))
        orders.delete()  # lines, allocations, holds and events cascade
        Address.objects.filter(pk__in=addresses).delete()
        Customer.objects.filter(email__startswith=f"bench-{fixture.tag}-").delete()
        product_ids = [product[0] for product in [*fixture.products, fixture.hot] if product]
        StockMovement.objects.filter(product_id__in=product_ids).delete()
        StockLevel.objects.filter(product_id__in=product_ids).delete()
        Product.objects.filter(pk__in=product_ids).delete()
        Warehouse.objects.filter(pk=fixture.warehouse_id).delete()
        ApiClient.objects.filter(channel_link__channel_id=fixture.channel_id).delete()
        SalesChannel.objects.filter(pk=fixture.channel_id).delete()


# --- the orders ------------------------------------------------------------------------------


def plan_orders(fixture: Fixture, count: int, phase: str, rng: random.Random) -> list[dict]:
    """`count` orders of 1–3 distinct products, 1–2 units each, from a pool of customers."""
    orders = []
    for index in range(count):
        picked = rng.sample(fixture.products, rng.randint(1, 3))
        orders.append(
            {
                "external_id": f"{fixture.tag}-{phase}-{index:07d}",
                "email": fixture.email(rng.randrange(CUSTOMER_COUNT)),
                "lines": [(product, rng.randint(1, 2)) for product in picked],
            }
        )
    return orders


def plan_hot_orders(fixture: Fixture, count: int, rng: random.Random) -> list[dict]:
    """`count` orders of one unit of the hot product each."""
    return [
        {
            "external_id": f"{fixture.tag}-hot-{index:07d}",
            "email": fixture.email(rng.randrange(CUSTOMER_COUNT)),
            "lines": [(fixture.hot, 1)],
        }
        for index in range(count)
    ]


def api_body(fixture: Fixture, order: dict) -> bytes:
    import json

    return json.dumps(
        {
            "external_id": order["external_id"],
            "currency": fixture.currency,
            "customer": {"email": order["email"], "first_name": "Bench", "last_name": "Client"},
            "shipping_address": ADDRESS,
            "lines": [
                {"sku": sku, "quantity": quantity, "unit_price": str(price)}
                for (_, sku, _, price, _), quantity in order["lines"]
            ],
            "shipping_total": str(SHIPPING),
        }
    ).encode()


def capture_request(fixture: Fixture, order: dict):
    """The `CaptureRequest` the API builds from `api_body(order)` (CaptureSerializer)."""
    from orders.services import AddressData, CaptureRequest, LineData

    return CaptureRequest(
        external_id=order["external_id"],
        currency=fixture.currency,
        email=order["email"],
        first_name="Bench",
        last_name="Client",
        lines=[
            LineData(sku=sku, quantity=quantity, unit_price=price)
            for (_, sku, _, price, _), quantity in order["lines"]
        ],
        shipping_address=AddressData(**ADDRESS),
        shipping_total=SHIPPING,
    )


# --- existing orders (`--existing N`) ---------------------------------------------------------

# One statement per chunk: an address per order and the order, placed in the last hour on a
# channel of their own by the bench's customers, every other email in upper case, so the
# duplicate-suspect rule (same email in any case, another channel, within 10 minutes) has rows
# in its window. They carry no lines: the rule compares SKUs, finds none, and holds nothing.
SEED_SQL = """
    WITH customers AS (
        SELECT id, email, slot - 1 AS slot
        FROM unnest(%(customer_ids)s::bigint[], %(emails)s::text[])
             WITH ORDINALITY AS c(id, email, slot)
    ), series AS (
        -- Each customer's orders, and the orders of any moment, cycle through the statuses
        -- and the two spellings of the email.
        SELECT g, customers.id AS customer_id,
               CASE WHEN (g + g / %(customer_count)s) %% 2 = 0 THEN upper(customers.email)
                    ELSE customers.email END AS email,
               CASE (g + g / %(customer_count)s) %% 50 WHEN 0 THEN 'cancelled'
                    WHEN 1 THEN 'ready' ELSE 'delivered' END AS status,
               nextval(pg_get_serial_sequence('orders_address', 'id')) AS address_id,
               nextval(pg_get_serial_sequence('orders_order', 'id')) AS order_id,
               now() - interval '1 hour' * (g::float8 / %(count)s) AS placed_at
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
        JOIN customers ON customers.slot = g %% %(customer_count)s
    ), addresses AS (
        INSERT INTO orders_address (id, name, company, line1, line2, city, region, postal_code,
                                    country, phone, phone_normalized)
        SELECT address_id, 'Seeded Customer', '', g || ' Existing Street', '', 'Newark', 'NJ',
               '07114', 'US', '', ''
        FROM series
    )
    INSERT INTO orders_order (
        id, number, created_at, updated_at, external_id, channel_order_name, draft_token, email,
        currency, subtotal, shipping_total, tax_total, discount_total, grand_total, units, status,
        status_before_hold, payment_status, amount_paid, balance_due, fulfillment_status, origin,
        shipping_method, allow_backorder, payment_request, confirmation_due, shipment_exception,
        placed_at, ship_by, customer_id, shipping_address_id, channel_id)
    SELECT order_id,
           'SO-' || CASE WHEN order_id < 1000000 THEN lpad(order_id::text, 6, '0')
                         ELSE order_id::text END,
           placed_at, placed_at, 'seed-' || g, '', '', email, %(currency)s, 20, 4.95, 0, 0,
           24.95, 2, status, '', 'paid', 24.95, 0,
           CASE status WHEN 'ready' THEN 'allocated' WHEN 'cancelled' THEN 'cancelled'
                       ELSE 'delivered' END,
           'channel', '', true, '{}', false, false, placed_at, placed_at + interval '48 hours',
           customer_id, address_id, %(channel)s
    FROM series
"""
UNSEED_SQL = """
    WITH gone AS (DELETE FROM orders_order WHERE channel_id = %s RETURNING shipping_address_id)
    DELETE FROM orders_address WHERE id IN (SELECT shipping_address_id FROM gone)
"""


def _vacuum_analyze() -> float:
    """Fresh statistics and visibility map for the tables seeding touched (the bench server
    runs without autovacuum)."""
    started = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE orders_order, orders_address, orders_customer")
    return time.perf_counter() - started


def seed_existing(fixture: Fixture, count: int) -> dict:
    """`count` orders of the bench's customers on a channel of their own; returns timings."""
    from orders.services import customer_for, sales_channel_upsert

    started = time.perf_counter()
    channel, _ = sales_channel_upsert(
        code=f"bench-{fixture.tag}-existing", kind="marketplace", currency=fixture.currency
    )
    fixture.seed_channel_id = channel.pk
    customers = [
        customer_for(email=fixture.email(n), first_name="Bench", last_name="Client")
        for n in range(CUSTOMER_COUNT)
    ]
    parameters = {
        "customer_ids": [customer.pk for customer in customers],
        "emails": [customer.email for customer in customers],
        "customer_count": CUSTOMER_COUNT,
        "count": count,
        "currency": fixture.currency,
        "channel": channel.pk,
    }
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        for first in range(0, count, SEED_CHUNK):
            last = min(first + SEED_CHUNK, count) - 1
            connection.execute(SEED_SQL, {**parameters, "first": first, "last": last})
            connection.commit()
    inserted = time.perf_counter() - started
    return {
        "orders": count,
        "insert_seconds": round(inserted, 1),
        "vacuum_analyze_seconds": round(_vacuum_analyze(), 1),
    }


def remove_existing(fixture: Fixture) -> float:
    """Delete the seeded orders, their addresses and channel; returns the seconds it took."""
    from orders.models import SalesChannel

    started = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        connection.execute(UNSEED_SQL, (fixture.seed_channel_id,))
    SalesChannel.objects.filter(pk=fixture.seed_channel_id).delete()
    _vacuum_analyze()
    return time.perf_counter() - started


# --- `--hot-sku`: is the stock exact? ----------------------------------------------------------


def hot_sku_check(fixture: Fixture, stock: int, answered: list[str]) -> dict:
    """Read back the hot level, its allocations and ledger and the orders; `exact` when every
    figure agrees with the others and with what the API answered."""
    from django.db.models import Sum

    from inventory.models import StockLevel, StockMovement
    from orders.models import Allocation, Order, OrderStatus

    ready, backordered = OrderStatus.READY.value, OrderStatus.BACKORDERED.value
    level = StockLevel.objects.get(pk=fixture.hot[4])
    allocations = Allocation.objects.filter(stock_level=level)
    ready_units = allocations.filter(order_line__order__status=OrderStatus.READY).aggregate(
        units=Sum("quantity")
    )["units"]
    ledger = StockMovement.objects.filter(stock_level=level).aggregate(
        on_hand=Sum("on_hand_delta"), allocated=Sum("allocated_delta")
    )
    stored = Counter(
        # One line per order, so one row per order.
        Order.objects.filter(
            channel_id=fixture.channel_id, lines__product_id=fixture.hot[0]
        ).values_list("status", flat=True)
    )
    answers = Counter(answered)
    orders = sum(stored.values())
    checks = {
        "allocated_equals_ready_units": level.allocated == (ready_units or 0),
        "allocated_equals_allocation_rows": level.allocated
        == (allocations.aggregate(units=Sum("quantity"))["units"] or 0),
        "allocated_within_on_hand": 0 <= level.allocated <= level.on_hand,
        "ledger_sums_to_level": (ledger["on_hand"], ledger["allocated"])
        == (level.on_hand, level.allocated),
        "no_unit_left_unsold": stored[ready] == min(stock, orders),
        "answers_match_database": answers == stored,
    }
    return {
        "stock": stock,
        "ready": answers[ready],
        "backordered": answers[backordered],
        "other_statuses": {
            status: count for status, count in answers.items() if status not in (ready, backordered)
        },
        "level": {"on_hand": level.on_hand, "allocated": level.allocated},
        "checks": checks,
        "exact": all(checks.values()),
    }
