"""How fast the order queues and search stay at a million orders (prints JSON, asserts nothing).

Run against a PostgreSQL database of its own (it adds rows):

    createdb oms_bench_orders
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms_bench_orders DEBUG=true
    .venv/bin/python manage.py migrate
    ALLOWED_HOSTS=testserver .venv/bin/python bench/order_queues.py --orders 1000000 --setup

`--setup` bulk-loads the orders once (channels, 100,000 customers, an address, a line and an
allocation per order, holds on a few percent, notes on some); later runs reuse them. The timed
requests go through the real queue and search views (URL routing, the view, its queries and
the template), signed in as a support user, each `--repeat` times; median and worst wall times
and the number of SQL queries per request are printed.
"""

import argparse
import json
import os
import random
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.loading import staff_client, timed_request  # noqa: E402
from inventory.models import Product, StockLevel, Warehouse  # noqa: E402
from orders.models import (  # noqa: E402
    Address,
    Allocation,
    Customer,
    HoldReason,
    Order,
    OrderEvent,
    OrderHold,
    OrderLine,
    OrderStatus,
    SalesChannel,
)

BATCH = 10_000
CUSTOMERS = 100_000
STATUS_MIX = (
    (OrderStatus.READY, 0.12),
    (OrderStatus.BACKORDERED, 0.03),
    (OrderStatus.ON_HOLD, 0.03),
    (OrderStatus.CANCELLED, 0.05),
    (OrderStatus.SHIPPED, 0.40),
    (OrderStatus.DELIVERED, 0.37),
)


def pick_status(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUS_MIX:
        total += share
        if roll < total:
            return status
    return OrderStatus.DELIVERED


def setup_orders(count: int) -> None:
    """Bulk rows shaped like real ones (no services: a million captures would take hours)."""
    rng = random.Random(11)
    channels = [
        SalesChannel.objects.get_or_create(code=code, defaults={"name": code, "kind": kind})[0]
        for code, kind in (("b-web", "web"), ("b-shopify", "marketplace"), ("b-pos", "pos"))
    ]
    warehouse = Warehouse.objects.get_or_create(
        code="BQ-EWR", defaults={"name": "bench", "country": "US", "priority": 1}
    )[0]
    products = []
    for number in range(1, 201):
        product = Product.objects.get_or_create(
            sku=f"BQ-{number:04d}", defaults={"name": f"Bench item {number}"}
        )[0]
        products.append(product)
    levels = {
        product.pk: StockLevel.objects.get_or_create(product=product, warehouse=warehouse)[0]
        for product in products
    }
    if Customer.objects.filter(email__startswith="bench-").count() < CUSTOMERS:
        Customer.objects.bulk_create(
            [
                Customer(
                    email=f"bench-{n}@example.com",
                    first_name=rng.choice(["Ada", "Grace", "Alan", "Edsger", "Barbara"]),
                    last_name=f"Tester{n % 5000}",
                    phone=f"+1555{n:07d}",
                )
                for n in range(CUSTOMERS)
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    customers = list(Customer.objects.filter(email__startswith="bench-").values_list("pk", "email"))
    existing = Order.objects.filter(external_id__startswith="BQ-").count()
    now = timezone.now()
    for start in range(existing, count, BATCH):
        size = min(BATCH, count - start)
        with transaction.atomic():
            addresses = Address.objects.bulk_create(
                [
                    Address(
                        name="Bench",
                        line1="1 Main St",
                        city="Newark",
                        postal_code="07114",
                        country="US",
                        phone="+15550000000",
                    )
                    for _ in range(size)
                ]
            )
            orders = []
            for offset, address in enumerate(addresses):
                number = start + offset + 1
                customer_id, email = customers[rng.randrange(len(customers))]
                placed = now - timedelta(minutes=number % 525_600, seconds=rng.randint(0, 59))
                total = Decimal(rng.randint(500, 50_000)) / 100
                orders.append(
                    Order(
                        number=f"BQ{number:08d}",
                        channel=channels[number % len(channels)],
                        external_id=f"BQ-{number}",
                        customer_id=customer_id,
                        email=email,
                        shipping_address=address,
                        currency="USD",
                        subtotal=total,
                        grand_total=total,
                        status=pick_status(rng),
                        payment_status=rng.choice(["none", "paid", "authorized"]),
                        placed_at=placed,
                        ship_by=placed + timedelta(hours=48),
                    )
                )
            orders = Order.objects.bulk_create(orders)
            lines = OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        product=(product := products[order.pk % len(products)]),
                        sku=product.sku,
                        name=product.name,
                        quantity=1,
                        unit_price=order.subtotal,
                        line_total=order.subtotal,
                    )
                    for order in orders
                ]
            )
            Allocation.objects.bulk_create(
                [
                    Allocation(order_line=line, stock_level=levels[line.product_id], quantity=1)
                    for line, order in zip(lines, orders, strict=True)
                    if order.status in (OrderStatus.READY, OrderStatus.ON_HOLD)
                ]
            )
            OrderHold.objects.bulk_create(
                [
                    OrderHold(order=order, reason=rng.choice(HoldReason.values), note="bench")
                    for order in orders
                    if order.status == OrderStatus.ON_HOLD
                ]
            )
            OrderEvent.objects.bulk_create(
                [
                    OrderEvent(order=order, type="note", message="Bench note")
                    for order in orders
                    if order.pk % 50 == 0
                ]
            )
    with connection.cursor() as cursor:
        # What autovacuum does in a live database: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    if args.setup:
        setup_orders(args.orders)

    client = staff_client("bench-support", "Support")
    queue, search = "/orders/", "/orders/search/"
    middle = Order.objects.filter(external_id=f"BQ-{args.orders // 2}").first()
    sample = Customer.objects.filter(email="bench-4242@example.com").first()
    since = (timezone.now() - timedelta(days=30)).date().isoformat()
    cases = [
        ("all orders, newest first", queue, {}),
        ("needs attention", queue, {"queue": "attention"}),
        ("ready to fulfill", queue, {"queue": "ready"}),
        ("backordered", queue, {"queue": "backordered"}),
        ("late", queue, {"queue": "late"}),
        ("by channel", queue, {"channel": "b-pos"}),
        ("by status, oldest first", queue, {"status": "shipped", "sort": "oldest"}),
        ("by payment status", queue, {"payment_status": "authorized"}),
        ("placed in the last 30 days", queue, {"date_from": since}),
        ("hold reason", queue, {"queue": "attention", "hold_reason": "fraud_review"}),
        ("has notes", queue, {"has_notes": "on"}),
        ("biggest totals", queue, {"sort": "total"}),
        ("search: order number", search, {"q": middle.number if middle else "BQ00000001"}),
        ("search: email", search, {"q": sample.email if sample else "x@example.com"}),
        ("search: phone", search, {"q": sample.phone if sample else "+15550000000"}),
        ("search: last name", search, {"q": "Tester4242"}),
        ("search: SKU", search, {"q": "BQ-0042"}),
    ]
    results = [
        timed_request(client, label, path, params, args.repeat) for label, path, params in cases
    ]
    print(
        json.dumps({"orders": Order.objects.count(), "page_size": 50, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
