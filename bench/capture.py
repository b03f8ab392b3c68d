"""Order capture throughput: the REST API under concurrency, against plain SQL as the ceiling.

Against a running server (PostgreSQL-backed, the same `DATABASE_URL` as here) it:

1. with `--setup`, creates this run's fixtures through the services: a channel `bench-<tag>`
   with an API key, a warehouse and 40 products with plenty of stock;
2. captures N orders through `POST /api/v1/orders/` from C client threads (one keep-alive
   `http.client` connection each), timing every request;
3. does the same writes for N more orders with plain SQL (psycopg 3, C connections, one
   transaction per order): customer, address, order, lines, and per line the guarded
   `UPDATE inventory_stocklevel SET allocated = allocated + q WHERE … available >= q`, the
   allocation row and its ledger row, locking levels in id order like the services do;
4. removes everything the run created (unless `--keep`), and prints one JSON object.

`ratio` is the API's throughput as a fraction of the plain-SQL ceiling. It only talks to
127.0.0.1 and stops by itself: every loop is bounded by N.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms_bench DEBUG=true \\
        .venv/bin/python bench/capture.py --url http://127.0.0.1:8055 --setup -n 2000 -c 8
"""

import argparse
import http.client
import itertools
import json
import os
import random
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_COUNT = 40
CUSTOMER_COUNT = 200
STOCK_PER_PRODUCT = 1_000_000
SHIPPING = Decimal("4.95")
ADDRESS = {
    "name": "Bench Customer",
    "line1": "1 Load Test Lane",
    "city": "Newark",
    "region": "NJ",
    "postal_code": "07114",
    "country": "US",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("-n", "--orders", type=int, default=2000, help="orders per phase")
    parser.add_argument("-c", "--concurrency", type=int, default=8, help="clients at once")
    parser.add_argument(
        "--setup",
        action="store_true",
        help="create this run's channel, key, products and stock (required: the script only "
        "writes to the database when told to)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the run's rows in place")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    target = urlsplit(args.url)
    if target.scheme != "http" or target.hostname != "127.0.0.1":
        parser.error("--url must be http://127.0.0.1[:port]: this script only talks to 127.0.0.1")
    database = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not database.scheme.startswith("postgres"):
        parser.error("set DATABASE_URL to the server's PostgreSQL database")
    if database.hostname not in ("127.0.0.1", "localhost", None):
        parser.error("DATABASE_URL must point at 127.0.0.1")
    if not args.setup:
        parser.error("pass --setup: the run creates (and afterwards removes) its own fixtures")
    if not 1 <= args.orders <= 1_000_000 or not 1 <= args.concurrency <= 256:
        parser.error("-n must be 1…1,000,000 and -c 1…256")
    return args


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    import django

    django.setup()


@dataclass
class Fixture:
    tag: str
    channel_id: int
    currency: str
    sla_hours: int
    key: str
    warehouse_id: int
    # (product id, sku, name, price, stock level id) for each product
    products: list[tuple[int, str, str, Decimal, int]]


def create_fixture(tag: str) -> Fixture:
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
        stock.stock_receive_lines(
            warehouse=warehouse,
            lines=[(product, STOCK_PER_PRODUCT) for product in products],
            reference=f"bench:{tag}",
        )
        levels = dict(
            StockLevel.objects.filter(warehouse=warehouse).values_list("product_id", "pk")
        )
    return Fixture(
        tag=tag,
        channel_id=channel.pk,
        currency=channel.currency,
        sla_hours=channel.sla_hours,
        key=key,
        warehouse_id=warehouse.pk,
        products=[(p.pk, p.sku, p.name, p.price, levels[p.pk]) for p in products],
    )


def remove_fixture(fixture: Fixture) -> None:
    """Delete every row the run created: orders and what hangs off them, then the fixtures."""
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
        product_ids = [product[0] for product in fixture.products]
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
                "email": f"bench-{fixture.tag}-{rng.randrange(CUSTOMER_COUNT)}@example.com",
                "lines": [(product, rng.randint(1, 2)) for product in picked],
            }
        )
    return orders


def api_body(fixture: Fixture, order: dict) -> bytes:
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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def in_parallel(count: int, handlers: list) -> float:
    """Hand indexes 0…count-1 to the handlers, one thread each, until none is left; returns the
    seconds it took."""
    cursor, lock = itertools.count(), threading.Lock()

    def drain(handle) -> None:
        while True:
            with lock:
                index = next(cursor)
            if index >= count:
                return
            handle(index)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(handlers)) as pool:
        for future in [pool.submit(drain, handle) for handle in handlers]:
            future.result()
    return time.perf_counter() - started


def run_api(url: str, fixture: Fixture, orders: list[dict], concurrency: int, timeout: float):
    """POST every order once; returns (seconds, latencies in ms, errors)."""
    target = urlsplit(url)
    headers = {"Authorization": f"Token {fixture.key}", "Content-Type": "application/json"}
    bodies = [api_body(fixture, order) for order in orders]
    latencies: list[float] = []
    errors: list[str] = []

    def client(connection: http.client.HTTPConnection):
        def post(index: int) -> None:
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/orders/", bodies[index], headers)
                response = connection.getresponse()
                status, payload = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()  # the next request opens a fresh connection
                status, payload = 0, repr(error).encode()
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 201:
                errors.append(f"{status}: {payload[:200].decode(errors='replace')}")

        return post

    connections = [
        http.client.HTTPConnection(target.hostname, target.port or 80, timeout=timeout)
        for _ in range(concurrency)
    ]
    try:
        seconds = in_parallel(len(bodies), [client(connection) for connection in connections])
    finally:
        for connection in connections:
            connection.close()
    return seconds, latencies, errors


# --- the plain-SQL ceiling -------------------------------------------------------------------

# Every NOT NULL column is written (the models' defaults are Python-side, not the database's),
# with the values an API capture of the same order stores: the derived search columns, the
# owed confirmation email, the balance due and the unit count.
CUSTOMER_SQL = """
    INSERT INTO orders_customer (created_at, updated_at, email, first_name, last_name, phone,
                                 name_normalized, phone_normalized)
    VALUES (now(), now(), %s, 'Bench', 'Client', '', 'bench client', '')
    ON CONFLICT (email) DO NOTHING RETURNING id
"""
ADDRESS_SQL = """
    INSERT INTO orders_address (name, company, line1, line2, city, region, postal_code, country,
                                phone, phone_normalized)
    VALUES (%(name)s, '', %(line1)s, '', %(city)s, %(region)s, %(postal_code)s, %(country)s, '',
            '')
    RETURNING id
"""
ORDER_SQL = """
    INSERT INTO orders_order (
        created_at, updated_at, external_id, channel_order_name, draft_token, email, currency,
        subtotal, shipping_total, tax_total, discount_total, grand_total, units, status,
        status_before_hold, payment_status, amount_paid, balance_due, fulfillment_status, origin,
        shipping_method, allow_backorder, payment_request, confirmation_due, shipment_exception,
        placed_at, ship_by, customer_id, shipping_address_id, channel_id)
    VALUES (now(), now(), %s, '', '', %s, %s, %s, %s, 0, 0, %s, %s, 'ready', '', 'none', 0, %s,
            'allocated', 'channel', '', true, '{}', true, false, now(),
            now() + make_interval(hours => %s), %s, %s, %s)
    RETURNING id
"""
LINE_SQL = """
    INSERT INTO orders_orderline (created_at, updated_at, sku, name, quantity,
                                  quantity_cancelled, quantity_shipped, quantity_returned,
                                  unit_price, line_total, order_id, product_id)
    VALUES (now(), now(), %s, %s, %s, 0, 0, 0, %s, %s, %s, %s) RETURNING id
"""
RESERVE_SQL = """
    UPDATE inventory_stocklevel SET allocated = allocated + %(q)s, updated_at = now()
    WHERE id = %(level)s AND on_hand - allocated - safety_stock >= %(q)s
    RETURNING on_hand, allocated
"""
LEDGER_SQL = """
    INSERT INTO inventory_stockmovement (kind, on_hand_delta, allocated_delta, on_hand_after,
        allocated_after, reference, note, created_at, product_id, stock_level_id, warehouse_id)
    VALUES ('allocate', 0, %s, %s, %s, %s, '', now(), %s, %s, %s)
"""
ALLOCATION_SQL = """
    INSERT INTO orders_allocation (created_at, updated_at, quantity, stock_level_id,
                                   order_line_id)
    VALUES (now(), now(), %s, %s, %s)
"""


class Shortage(Exception):
    """A level had fewer units available than the line wants: the order is rolled back."""


def sql_capture(connection, fixture: Fixture, order: dict) -> None:
    """One order in one transaction, the way the services write it (no ORM, no events)."""
    lines = sorted(order["lines"], key=lambda line: line[0][4])  # lock levels in id order
    subtotal = sum((price * quantity for (_, _, _, price, _), quantity in lines), Decimal(0))
    grand_total = subtotal + SHIPPING
    units = sum(quantity for _, quantity in lines)
    with connection.transaction():
        row = connection.execute(CUSTOMER_SQL, (order["email"],)).fetchone()
        if row is None:  # someone else inserted it first; a new statement sees their commit
            row = connection.execute(
                "SELECT id FROM orders_customer WHERE email = %s", (order["email"],)
            ).fetchone()
        (address_id,) = connection.execute(ADDRESS_SQL, ADDRESS).fetchone()
        (order_id,) = connection.execute(
            ORDER_SQL,
            (order["external_id"], order["email"], fixture.currency, subtotal, SHIPPING,
             grand_total, units, grand_total, fixture.sla_hours, row[0], address_id,
             fixture.channel_id),
        ).fetchone()  # fmt: skip
        number = f"SO-{order_id:06d}"
        connection.execute("UPDATE orders_order SET number = %s WHERE id = %s", (number, order_id))
        for (product_id, sku, name, price, level_id), quantity in lines:
            (line_id,) = connection.execute(
                LINE_SQL, (sku, name, quantity, price, price * quantity, order_id, product_id)
            ).fetchone()
            reserved = connection.execute(RESERVE_SQL, {"q": quantity, "level": level_id})
            after = reserved.fetchone()
            if after is None:
                raise Shortage(sku)
            connection.execute(
                LEDGER_SQL,
                (quantity, *after, f"order:{number}", product_id, level_id, fixture.warehouse_id),
            )
            connection.execute(ALLOCATION_SQL, (quantity, level_id, line_id))


def run_plain_sql(fixture: Fixture, orders: list[dict], concurrency: int):
    """Returns (seconds, errors)."""
    import psycopg

    errors: list[str] = []

    def worker(connection):
        def capture(index: int) -> None:
            try:
                sql_capture(connection, fixture, orders[index])
            except (Shortage, psycopg.Error) as error:
                errors.append(repr(error)[:200])

        return capture

    connections = [psycopg.connect(os.environ["DATABASE_URL"]) for _ in range(concurrency)]
    try:
        return in_parallel(len(orders), [worker(c) for c in connections]), errors
    finally:
        for connection in connections:
            connection.close()


def main(argv=None) -> int:
    args = parse_args(argv)
    django_setup()
    rng = random.Random(args.seed)
    fixture = create_fixture(uuid.uuid4().hex[:8])
    try:
        warmup = plan_orders(fixture, 2 * args.concurrency, "warmup", rng)  # untimed
        run_api(args.url, fixture, warmup, args.concurrency, args.timeout)
        api_orders = plan_orders(fixture, args.orders, "api", rng)
        api_seconds, latencies, api_errors = run_api(
            args.url, fixture, api_orders, args.concurrency, args.timeout
        )
        sql_orders = plan_orders(fixture, args.orders, "sql", rng)
        sql_seconds, sql_errors = run_plain_sql(fixture, sql_orders, args.concurrency)
    finally:
        if not args.keep:
            remove_fixture(fixture)
    api_rate = (args.orders - len(api_errors)) / api_seconds
    sql_rate = (args.orders - len(sql_errors)) / sql_seconds
    report = {
        "orders": args.orders,
        "concurrency": args.concurrency,
        "api": {
            "seconds": round(api_seconds, 2),
            "orders_per_second": round(api_rate, 1),
            "p50_ms": round(percentile(latencies, 0.50), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "errors": len(api_errors),
        },
        "plain_sql": {
            "seconds": round(sql_seconds, 2),
            "orders_per_second": round(sql_rate, 1),
            "errors": len(sql_errors),
        },
        "ratio": round(api_rate / sql_rate, 3) if sql_rate else None,
    }
    for error in (api_errors + sql_errors)[:3]:
        print(f"first errors: {error}", file=sys.stderr)
    print(json.dumps(report))
    return 1 if api_errors or sql_errors else 0


if __name__ == "__main__":
    sys.exit(main())
