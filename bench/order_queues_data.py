"""The shop `bench/order_queues.py` queues and searches: rows generated order by order and
COPYed into a migrated database (ids assigned here, secondary indexes built after).

Three channels (a web store, a Shopify store whose orders carry Shopify's `#1042` names, a
till), 200 SKUs, 100,000 customers with real-looking names, emails and phone numbers written
the four ways people write them (`616.234.9992`, `(616) 234-9992`, `+1 616 234 9992`,
`6162349992`), a year of orders whose statuses follow their age, one address per order with
the customer's phone, a line per order, parcels with tracking numbers for what shipped,
returns for some of what was delivered, holds and notes. The normalised search columns are
written as the models write them (`oms.phones`).
"""

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.loading import IndexesDeferred, Table, next_id, reset_sequence

CHUNK = 20_000
CUSTOMERS = 100_000
PRODUCTS = 200
CHANNELS = (("b-web", "web"), ("b-shopify", "marketplace"), ("b-pos", "pos"))
# A year of orders, ids in placing order. Statuses follow age, as in a live shop: the last
# three days are still being worked (ready, waiting for stock, held, shipping), older orders
# shipped or were delivered or cancelled, and a thin tail is still held or backordered.
DAYS = 365
FRESH_DAYS, IN_TRANSIT_DAYS = 3, 10
FRESH_MIX = (("ready", 0.45), ("backordered", 0.10), ("on_hold", 0.10), ("shipped", 0.35))
OLDER_MIX = (("on_hold", 0.005), ("backordered", 0.005), ("cancelled", 0.05))
RETURNED = 0.02  # of delivered orders
# Common US first and last names, with a few whose parts others contain (Ham...).
FIRST_NAME_LIST = (
    "Kimberly James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
    "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel "
    "Nancy Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Emily Paul Donna "
    "Andrew Michelle Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah George Ada Grace"
)
LAST_NAME_LIST = (
    "Hamilton Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
    "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez "
    "Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright "
    "Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell "
    "Carter Roberts Graham Hampton Bingham Hamm Lovelace Hopper Turing Dijkstra Liskov"
)
FIRST_NAMES, LAST_NAMES = FIRST_NAME_LIST.split(), LAST_NAME_LIST.split()
PHONE_STYLES = ("{0}.{1}.{2}", "({0}) {1}-{2}", "+1 {0} {1} {2}", "{0}{1}{2}")
HOLD_REASONS = ("address_invalid", "payment_failed", "fraud_review", "customer_request")


def customer_details(number: int) -> tuple[str, str, str, str]:
    """(first name, last name, email, phone as the customer wrote it) of customer `number`."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]
    email = f"{first}.{last}{number}@example.com".lower()
    area, exchange = 201 + number % 797, 200 + (number * 7) % 800
    style = PHONE_STYLES[number % len(PHONE_STYLES)]
    return first, last, email, style.format(area, exchange, f"{number % 10_000:04d}")


class Loader:
    """Generates the rows order by order and COPYs them in chunks."""

    def __init__(self, orders: int, seed: int = 11):
        from inventory.models import Product, StockLevel, Warehouse
        from orders.models import (
            Address,
            Allocation,
            Customer,
            Order,
            OrderEvent,
            OrderHold,
            OrderLine,
            SalesChannel,
        )
        from returns.models import ReturnRequest
        from shipping.models import Carrier, Shipment, ShippingMethod

        self.count, self.rng = orders, random.Random(seed)
        self.now = datetime.now(UTC)
        self.channels = [
            SalesChannel.objects.get_or_create(code=code, defaults={"name": code, "kind": kind})[
                0
            ].pk
            for code, kind in CHANNELS
        ]
        self.warehouse = Warehouse.objects.get_or_create(
            code="BQ-EWR", defaults={"name": "bench", "country": "US", "priority": 1}
        )[0].pk
        self.products = []
        for number in range(1, PRODUCTS + 1):
            product = Product.objects.get_or_create(
                sku=f"BQ-{number:04d}", defaults={"name": f"Bench item {number}"}
            )[0]
            level = StockLevel.objects.get_or_create(product=product, warehouse_id=self.warehouse)
            self.products.append((product.pk, product.sku, product.name, level[0].pk))
        carrier = Carrier.objects.get_or_create(code="bq-parcel", defaults={"name": "Parcel"})[0]
        self.method = ShippingMethod.objects.get_or_create(
            code="bq-ground", defaults={"name": "Ground", "carrier": carrier}
        )[0].pk
        columns = {
            "customer": (
                Customer,
                "id email first_name last_name phone phone_normalized name_normalized",
            ),
            "address": (Address, "id name line1 city postal_code country phone phone_normalized"),
            "order": (
                Order,
                "id number channel_id external_id channel_order_name customer_id email "
                "shipping_address_id currency subtotal grand_total balance_due units status "
                "payment_status placed_at ship_by shipped_at",
            ),
            "line": (
                OrderLine,
                "id order_id product_id sku name quantity quantity_shipped unit_price line_total",
            ),
            "allocation": (Allocation, "id order_line_id stock_level_id quantity"),
            "hold": (OrderHold, "id order_id reason note"),
            "event": (OrderEvent, "id order_id type message"),
            "shipment": (
                Shipment,
                "id number order_id warehouse_id method_id status tracking_number shipped_at",
            ),
            "rma": (ReturnRequest, "id number order_id status resolution"),
        }
        self.tables = {
            name: Table(model, names, now=self.now) for name, (model, names) in columns.items()
        }

    def start_ids(self, cursor) -> None:
        self.ids = {name: next_id(cursor, table.model) for name, table in self.tables.items()}
        self.customer0 = self.ids["customer"]

    def take(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def pick_status(self, age: timedelta) -> str:
        roll, total = self.rng.random(), 0.0
        for status, share in FRESH_MIX if age.days < FRESH_DAYS else OLDER_MIX:
            total += share
            if roll < total:
                return status
        return "shipped" if age.days < IN_TRANSIT_DAYS else "delivered"

    def customers(self) -> None:
        from oms.phones import normalize_phone
        from orders.models.customers import normalize_name

        self.people = []
        for number in range(CUSTOMERS):
            first, last, email, phone = customer_details(number)
            customer_id = self.take("customer")
            self.tables["customer"].add(
                customer_id,
                email,
                first,
                last,
                phone,
                normalize_phone(phone),
                normalize_name(first, last),
            )
            self.people.append((customer_id, f"{first} {last}", email, phone))
        # The shipping address's form: its country (US) makes it E.164.
        self.address_phones = {phone: normalize_phone(phone, "US") for *_, phone in self.people}

    def order(self, index: int) -> None:
        rng, t = self.rng, self.tables
        customer_id, name, email, phone = self.people[rng.randrange(len(self.people))]
        address_id = self.take("address")
        t["address"].add(
            address_id,
            name,
            "1 Main St",
            "Newark",
            "07114",
            "US",
            phone,
            self.address_phones[phone],
        )
        order_id = self.take("order")
        channel = index % len(CHANNELS)
        code = CHANNELS[channel][0]
        if code == "b-shopify":
            external_id, channel_name = f"{5_100_000_000_000 + index}", f"#{1001 + index}"
        else:
            external_id, channel_name = f"{code.removeprefix('b-').upper()}-{index:07d}", ""
        age = timedelta(days=DAYS * (self.count - index) / self.count)
        placed = self.now - age
        status = self.pick_status(age)
        shipped = status in ("shipped", "delivered")
        total = f"{rng.randint(500, 50_000) / 100:.2f}"
        t["order"].add(
            order_id,
            f"SO-{order_id:06d}",
            self.channels[channel],
            external_id,
            channel_name,
            customer_id,
            email,
            address_id,
            "USD",
            total,
            total,
            total,
            1,
            status,
            rng.choice(["none", "paid", "authorized"]),
            placed,
            placed + timedelta(hours=48),
            placed + timedelta(hours=20) if shipped else None,
        )
        product_id, sku, product_name, level_id = self.products[order_id % len(self.products)]
        line_id = self.take("line")
        t["line"].add(
            line_id, order_id, product_id, sku, product_name, 1, int(shipped), total, total
        )
        if status in ("ready", "on_hold"):
            t["allocation"].add(self.take("allocation"), line_id, level_id, 1)
        if status == "on_hold":
            t["hold"].add(self.take("hold"), order_id, rng.choice(HOLD_REASONS), "bench")
        if order_id % 50 == 0:
            t["event"].add(self.take("event"), order_id, "note", "Bench note")
        if shipped:
            shipment_id = self.take("shipment")
            t["shipment"].add(
                shipment_id,
                f"SH-{shipment_id:06d}",
                order_id,
                self.warehouse,
                self.method,
                status,
                f"1ZBQ{shipment_id:012d}",
                placed + timedelta(hours=20),
            )
        if status == "delivered" and rng.random() < RETURNED:
            rma_id = self.take("rma")
            t["rma"].add(rma_id, f"RMA-{rma_id:06d}", order_id, "requested", "refund")

    def flush(self, cursor) -> None:
        for table in self.tables.values():
            table.flush(cursor)

    def load(self, conn) -> dict:
        started = time.perf_counter()
        with conn.cursor() as cursor:
            # Scratch data written in one go: skip the foreign-key triggers (CHECKs still run).
            cursor.execute("SET session_replication_role = replica")
            self.start_ids(cursor)
            names = [table.name for table in self.tables.values()]
            with IndexesDeferred(cursor, names) as deferred:
                self.customers()
                self.flush(cursor)
                for start in range(0, self.count, CHUNK):
                    for index in range(start, min(start + CHUNK, self.count)):
                        self.order(index)
                    self.flush(cursor)
                    conn.commit()
                    done = min(start + CHUNK, self.count)
                    if done % 100_000 == 0 or done == self.count:
                        elapsed = time.perf_counter() - started
                        print(f"  {done:,} orders in {elapsed:.0f} s", file=sys.stderr)
                print(f"  building {len(deferred.definitions)} indexes", file=sys.stderr)
            for table in self.tables.values():
                reset_sequence(cursor, table.model)
            cursor.execute("SET session_replication_role = DEFAULT")
        conn.commit()
        conn.autocommit = True
        vacuum_started = time.perf_counter()
        # What autovacuum does in a live database: statistics and the visibility map.
        conn.execute("VACUUM ANALYZE")
        return {
            "rows": {name: table.written for name, table in self.tables.items()},
            "load_seconds": round(vacuum_started - started, 1),
            "index_build_seconds": round(deferred.build_seconds, 1),
            "vacuum_analyze_seconds": round(time.perf_counter() - vacuum_started, 1),
        }
