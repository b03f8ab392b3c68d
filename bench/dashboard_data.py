"""The synthetic shop `bench/dashboard.py` measures: rows generated order by order and COPYed
into a migrated scratch database (ids assigned here, secondary indexes built after).

Four channels in USD and EUR, 2,000 SKUs in three warehouses, one to five lines per order;
statuses follow each order's age (fresh orders open, a tail held or backordered, the rest
shipped, delivered or cancelled), with parcels, card authorizations and captures, marketplace
and till payments, returns with their refunds, and the stock ledger's ship rows. Every stock
level matches its allocations and ledger (`manage.py inventory_audit` is clean).
"""

import bisect
import math
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from bench.loading import IndexesDeferred, Table, next_id, reset_sequence

HOUR, DAY = 3600.0, 86400.0
CHUNK = 20_000
PRODUCTS = 2_000
# code, kind, currency, SLA hours, share of orders, payment (gateway, method)
CHANNELS = (
    ("bd-web", "web", "USD", 48, 0.45, ("sandbox", "card")),
    ("bd-eu", "web", "EUR", 48, 0.20, ("sandbox", "card")),
    ("bd-market", "marketplace", "USD", 24, 0.25, ("marketplace", "marketplace")),
    ("bd-pos", "pos", "USD", 24, 0.10, ("manual", "cash")),
)
# code, name, country, priority; EUR orders ship from Amsterdam, USD ones from the US pair.
WAREHOUSES = (
    ("BD-EWR", "Newark", "US", 1),
    ("BD-LAX", "Los Angeles", "US", 2),
    ("BD-AMS", "Amsterdam", "NL", 1),
)
LINES_PER_ORDER = ((1, 0.15), (2, 0.20), (3, 0.30), (4, 0.20), (5, 0.15))  # three on average
# How an order's life goes: shares of orders cancelled, held at placing, waiting for stock,
# shipped in two parcels, returned (of those delivered); and of parcels on their way for over
# half a day, the share stuck with the carrier.
CANCELLED, HELD, BACKORDERED, SPLIT, RETURNED, EXCEPTION = 0.04, 0.02, 0.04, 0.06, 0.08, 0.04
RETURN_REASONS = (
    ("defective", 0.2),
    ("wrong_item", 0.1),
    ("not_as_described", 0.15),
    ("changed_mind", 0.4),
    ("damaged_in_transit", 0.1),
    ("other", 0.05),
)
HOLD_REASONS = ("address_invalid", "payment_failed", "fraud_review", "customer_request")


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def weighted(pairs):
    """A picker over (value, share) pairs: call it with a uniform draw in [0, 1)."""
    values = [value for value, _ in pairs]
    bounds, total = [], 0.0
    for _, share in pairs:
        total += share
        bounds.append(total)
    return lambda draw: values[min(bisect.bisect(bounds, draw * total), len(values) - 1)]


class Loader:
    """Generates the rows order by order and COPYs them in chunks (ids assigned here)."""

    def __init__(self, orders: int, days: int, seed: int):
        from inventory.models import Product, StockLevel, StockMovement, Warehouse
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
        from payments.models import Payment, PaymentTransaction
        from returns.models import ReturnLine, ReturnRequest
        from shipping.models import Carrier, Shipment, ShipmentLine, ShippingMethod

        self.count, self.rng = orders, random.Random(seed)
        self.now = time.time()
        self.span = days * DAY
        now = datetime.now(UTC)
        self.channels = []
        for code, kind, currency, sla, _share, payment in CHANNELS:
            channel, _ = SalesChannel.objects.update_or_create(
                code=code,
                defaults={"name": code, "kind": kind, "currency": currency, "sla_hours": sla},
            )
            self.channels.append((channel.pk, currency, sla * HOUR, kind, *payment))
        self.pick_channel = weighted([(index, c[4]) for index, c in enumerate(CHANNELS)])
        self.warehouses = [
            Warehouse.objects.update_or_create(
                code=code, defaults={"name": name, "country": country, "priority": priority}
            )[0].pk
            for code, name, country, priority in WAREHOUSES
        ]
        carrier, _ = Carrier.objects.get_or_create(code="bd-parcel", defaults={"name": "Parcel"})
        self.method = ShippingMethod.objects.get_or_create(
            code="bd-ground", defaults={"name": "Ground", "carrier": carrier}
        )[0].pk
        self.pick_lines = weighted(LINES_PER_ORDER)
        self.pick_reason = weighted(RETURN_REASONS)
        # The columns each row gives, in order (the others get their defaults).
        columns = {
            "product": (Product, "id sku name weight_grams price cost reorder_point"),
            "customer": (Customer, "id email first_name last_name phone"),
            "address": (Address, "id name line1 city postal_code country phone"),
            "order": (
                Order,
                "id number channel_id external_id customer_id email shipping_address_id "
                "currency subtotal shipping_total grand_total units status payment_status "
                "amount_paid balance_due fulfillment_status placed_at ship_by shipped_at "
                "shipment_exception cancelled_at created_at updated_at",
            ),
            "line": (
                OrderLine,
                "id order_id product_id sku name quantity quantity_shipped quantity_returned "
                "unit_price line_total created_at updated_at",
            ),
            "allocation": (
                Allocation,
                "id order_line_id stock_level_id quantity created_at updated_at",
            ),
            "hold": (OrderHold, "id order_id reason note placed_at released_at created_at"),
            "event": (OrderEvent, "id order_id type message created_at"),
            "shipment": (
                Shipment,
                "id number order_id warehouse_id method_id status tracking_number weight_grams "
                "value currency packed_at shipped_at delivered_at created_at updated_at",
            ),
            "shipment_line": (
                ShipmentLine,
                "id shipment_id order_line_id quantity quantity_packed sku shipped_at",
            ),
            "payment": (
                Payment,
                "id order_id gateway method currency amount amount_authorized amount_captured "
                "amount_voided amount_refunded status voided_at created_at updated_at",
            ),
            "transaction": (
                PaymentTransaction,
                "id payment_id kind amount status idempotency_key reference attempts "
                "completed_at created_at updated_at",
            ),
            "return": (
                ReturnRequest,
                "id number order_id status resolution decided_at warehouse_id received_at "
                "refund_amount refunded_at closed_at notify_customer created_at updated_at",
            ),
            "return_line": (
                ReturnLine,
                "id return_request_id order_line_id quantity reason quantity_sellable "
                "quantity_damaged sku",
            ),
            "movement": (
                StockMovement,
                "id stock_level_id product_id warehouse_id kind on_hand_delta allocated_delta "
                "on_hand_after allocated_after reference created_at",
            ),
            "level": (StockLevel, "id product_id warehouse_id on_hand allocated created_at"),
        }
        self.tables = {
            name: Table(model, names, now=now) for name, (model, names) in columns.items()
        }
        self.allocated: Counter = Counter()  # level id → units
        self.shipped: Counter = Counter()

    # Ids are handed out here, after the rows the migrations may have made.
    def start_ids(self, cursor) -> None:
        self.ids = {name: next_id(cursor, table.model) for name, table in self.tables.items()}
        self.product0 = self.ids["product"]
        self.level0 = self.ids["level"]
        self.customer0 = self.ids["customer"]
        self.customers = max(1_000, self.count // 10)

    def take(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def level(self, product_index: int, warehouse_index: int) -> int:
        return self.level0 + product_index * len(WAREHOUSES) + warehouse_index

    def ts(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, UTC)

    def catalog(self) -> None:
        rng, t = self.rng, self.tables
        self.products = []
        for index in range(PRODUCTS):
            price = rng.randint(500, 12_000)
            weight = rng.randint(100, 2_000)
            reorder_point = rng.randint(10, 60)
            product_id = self.take("product")
            sku = f"BD-{index + 1:05d}"
            name = f"Bench item {index + 1}"
            t["product"].add(
                product_id,
                sku,
                name,
                weight,
                money(price),
                money(price * 2 // 5),
                reorder_point,
            )
            self.products.append((product_id, sku, name, price, weight))
        for number in range(self.customers):
            t["customer"].add(
                self.take("customer"),
                f"bd-{number}@example.com",
                rng.choice(("Ada", "Grace", "Alan", "Edsger", "Barbara")),
                f"Tester{number % 5000}",
                f"+1555{number:07d}",
            )

    def order(self, index: int) -> None:
        """The `index`-th order's whole life, in the order it happens."""
        rng, r, t, now = self.rng, self.rng.random, self.tables, self.now
        order_id, address_id = self.take("order"), self.take("address")
        channel_id, currency, sla, _kind, gateway, method = self.channels[self.pick_channel(r())]
        # Orders arrive over the span in id order, as they do in a live shop.
        placed = now - self.span + self.span * (index + r()) / self.count
        ship_by = placed + sla
        warehouse = 2 if currency == "EUR" else 0 if r() < 0.7 else 1
        # Lines: popular SKUs sell more (a skewed pick).
        chosen = {}
        for _ in range(self.pick_lines(r())):
            product = int(PRODUCTS * r() ** 2.2)
            chosen[product] = chosen.get(product, 0) + (1 if r() < 0.7 else 2 if r() < 0.67 else 3)
        lines = []  # [line id, product index, quantity, unit price (cents), shipped, returned]
        subtotal = units = 0
        for product_index, quantity in chosen.items():
            price = self.products[product_index][3]
            lines.append([self.take("line"), product_index, quantity, price, 0, 0])
            subtotal += price * quantity
            units += quantity
        shipping = 0 if subtotal >= 5_000 else 595
        grand = subtotal + shipping

        # Its life: maybe held at placing, maybe waiting for stock, then picked and shipped.
        cancel_at = placed + 0.3 * HOUR + r() * 36 * HOUR if r() < CANCELLED else None
        held_until = placed + 2 * HOUR + r() * 7 * DAY if r() < HELD else placed
        stocked = held_until + (DAY + r() * 11 * DAY if r() < BACKORDERED else 0.0)
        ship_at = stocked + min(
            90 * HOUR, 1.5 * HOUR + rng.lognormvariate(math.log(14 * HOUR), 0.7)
        )
        split = len(lines) >= 2 and r() < SPLIT
        first_ship = max(stocked + HOUR, ship_at - 2 * HOUR - r() * 30 * HOUR) if split else ship_at
        cancelled = cancel_at is not None and cancel_at <= now and cancel_at < first_ship
        if cancelled:
            held_until = stocked = placed
        parcels = []  # (lines, shipped_at or None)
        if cancelled:
            status = "cancelled"
        elif held_until > now:
            status = "on_hold"
        elif stocked > now:
            status = "backordered"
        elif ship_at <= now:
            status = "shipped"
        elif split and first_ship <= now:
            status = "partially_shipped"
        elif now - stocked < 0.25 * HOUR:
            status = "pending"
        elif ship_at - now < 6 * HOUR:
            status = "fulfilling"
        else:
            status = "ready"
        if status in ("shipped", "partially_shipped"):
            if split:
                half = len(lines) // 2
                parcels.append((lines[:half], first_ship))
                parcels.append((lines[half:], ship_at if ship_at <= now else None))
            else:
                parcels.append((lines, ship_at))
        elif status == "fulfilling":
            parcels.append((lines, None))

        # Parcels, their lines and the ledger's ship rows.
        delivered_all, exception, last_shipped, last_delivered = True, False, None, None
        captures = []  # (shipment id, value, shipped at)
        number = f"BD{order_id:08d}"
        for index_parcel, (parcel_lines, shipped_at) in enumerate(parcels):
            shipment_id = self.take("shipment")
            value = sum(line[3] * line[2] for line in parcel_lines) + (
                shipping if index_parcel == 0 else 0
            )
            weight = sum(self.products[line[1]][4] * line[2] for line in parcel_lines)
            delivered_at = None
            if shipped_at is None:
                parcel_status = rng.choice(("pending", "packed", "label_ready"))
                packed_at = now - r() * HOUR if parcel_status != "pending" else None
                delivered_all = False
            else:
                packed_at = shipped_at - r() * 2 * HOUR
                arrives = shipped_at + DAY + r() * (6 if currency == "EUR" else 4) * DAY
                if arrives <= now:
                    parcel_status, delivered_at = "delivered", arrives
                    last_delivered = max(last_delivered or arrives, arrives)
                else:
                    delivered_all = False
                    if now - shipped_at > 12 * HOUR and r() < EXCEPTION:
                        parcel_status, exception = "exception", True
                    elif now - shipped_at > 4 * HOUR:
                        parcel_status = "in_transit"
                    else:
                        parcel_status = "shipped"
                last_shipped = max(last_shipped or shipped_at, shipped_at)
                captures.append((shipment_id, value, shipped_at))
            created = (shipped_at or now) - 3 * HOUR
            shipped_stamp = self.ts(shipped_at) if shipped_at else None
            t["shipment"].add(
                shipment_id,
                f"BDS{shipment_id:08d}",
                order_id,
                self.warehouses[warehouse],
                self.method,
                parcel_status,
                f"1ZBD{shipment_id:012d}" if parcel_status != "pending" else "",
                weight,
                money(value),
                currency,
                self.ts(packed_at) if packed_at else None,
                shipped_stamp,
                self.ts(delivered_at) if delivered_at else None,
                self.ts(created),
                self.ts(delivered_at or shipped_at or created),
            )
            for line in parcel_lines:
                line_id, product_index, quantity = line[0], line[1], line[2]
                t["shipment_line"].add(
                    self.take("shipment_line"),
                    shipment_id,
                    line_id,
                    quantity,
                    quantity if parcel_status != "pending" else 0,
                    self.products[product_index][1],
                    shipped_stamp,
                )
                level = self.level(product_index, warehouse)
                if shipped_at is None:
                    continue
                line[4] = quantity  # shipped
                self.shipped[level] += quantity
                t["movement"].add(
                    self.take("movement"),
                    level,
                    self.products[product_index][0],
                    self.warehouses[warehouse],
                    "ship",
                    -quantity,
                    -quantity,
                    0,
                    0,
                    f"order:{number}",
                    self.ts(shipped_at),
                )
        if status == "shipped" and delivered_all:
            status = "delivered"

        # What is still reserved: everything open of ready and fulfilling orders, the second
        # parcel of a partly shipped one, some lines of a backordered one.
        if status in ("ready", "fulfilling", "partially_shipped", "backordered"):
            for position, line in enumerate(lines):
                if line[4]:
                    continue
                if status == "backordered" and (position or r() < 0.5):
                    continue
                level = self.level(line[1], warehouse)
                self.allocated[level] += line[2]
                stamp = self.ts(stocked)
                t["allocation"].add(self.take("allocation"), line[0], level, line[2], stamp, stamp)

        # A return some days after delivery: asked for, decided, received, refunded.
        returned = None
        if status == "delivered" and r() < RETURNED:
            opened = last_delivered + DAY + r() * 20 * DAY
            if opened <= now:
                returned = self.return_request(order_id, lines, opened, warehouse)

        # Payment: a card authorized at placing and captured per parcel; marketplace and till
        # money taken at placing. Cancelling voids or refunds; a return refunds.
        payment_id = self.take("payment")
        captured = voided = refunded = 0
        transactions = []
        if gateway == "sandbox":
            transactions.append(("authorize", grand, placed + 2, ""))
            for shipment_id, value, shipped_at in captures:
                transactions.append(("capture", value, shipped_at, f"shipment:{shipment_id}"))
                captured += value
            if cancelled:
                transactions.append(("void", grand, cancel_at, "cancel"))
                voided = grand
        else:
            transactions.append(("capture", grand, placed + 2, "order:confirmed"))
            captured = grand
            if cancelled:
                transactions.append(("refund", grand, cancel_at, "cancel"))
                refunded = grand
        if returned and returned[1] is not None:
            amount, refunded_at = returned[1], returned[2]
            transactions.append(("refund", amount, refunded_at, f"return:{returned[0]}"))
            refunded += amount
        if cancelled:
            payment_status = "voided" if gateway == "sandbox" else "refunded"
        elif refunded:
            payment_status = "refunded" if refunded == captured else "partially_refunded"
        elif captured == grand:
            payment_status = "captured"
        elif captured:
            payment_status = "partially_captured"
        else:
            payment_status = "authorized"
        for kind_txn, amount, at, reference in transactions:
            txn_id = self.take("transaction")
            stamp = self.ts(at)
            t["transaction"].add(
                txn_id,
                payment_id,
                kind_txn,
                money(amount),
                "succeeded",
                f"bd-{txn_id}",
                reference,
                1,
                stamp,
                stamp,
                stamp,
            )
        t["payment"].add(
            payment_id,
            order_id,
            gateway,
            method,
            currency,
            money(grand),
            money(grand),
            money(captured),
            money(voided),
            money(refunded),
            payment_status,
            self.ts(cancel_at) if cancelled and gateway == "sandbox" else None,
            self.ts(placed),
            self.ts(transactions[-1][2]),
        )

        # Holds (active, or released when the order went on) and a note on some orders.
        if held_until > placed:
            t["hold"].add(
                self.take("hold"),
                order_id,
                rng.choice(HOLD_REASONS),
                "bench",
                self.ts(placed),
                self.ts(held_until) if held_until <= now else None,
                self.ts(placed),
            )
        if r() < 0.02:
            t["event"].add(self.take("event"), order_id, "note", "Bench note", self.ts(placed))

        # The order, its address and lines.
        paid = captured - refunded
        if cancelled:
            order_payment = "none" if gateway == "sandbox" else "refunded"
        elif refunded:
            order_payment = "refunded" if paid <= 0 else "partially_refunded"
        elif captured >= grand:
            order_payment = "paid"
        elif captured:
            order_payment = "partially_paid"
        else:
            order_payment = "authorized" if gateway == "sandbox" else "none"
        fulfillment = {
            "cancelled": "cancelled",
            "delivered": "delivered",
            "shipped": "shipped",
            "partially_shipped": "partially_shipped",
            "ready": "allocated",
            "fulfilling": "allocated",
            "backordered": "partially_allocated",
        }.get(status, "unfulfilled")
        customer = self.customer0 + rng.randrange(self.customers)
        t["address"].add(
            address_id,
            "Bench Customer",
            "1 Main St",
            "Amsterdam" if currency == "EUR" else "Newark",
            "1011" if currency == "EUR" else "07114",
            "NL" if currency == "EUR" else "US",
            "+15550000000",
        )
        changed = max(
            placed,
            cancel_at if cancelled else placed,
            last_delivered or last_shipped or placed,
        )
        t["order"].add(
            order_id,
            number,
            channel_id,
            f"BD-{order_id}",
            customer,
            f"bd-{customer - self.customer0}@example.com",
            address_id,
            currency,
            money(subtotal),
            money(shipping),
            money(grand),
            units,
            status,
            order_payment,
            money(paid),
            money((0 if cancelled else grand) - paid),
            fulfillment,
            self.ts(placed),
            self.ts(ship_by),
            self.ts(last_shipped) if status in ("shipped", "delivered") else None,
            exception,
            self.ts(cancel_at) if cancelled else None,
            self.ts(placed),
            self.ts(changed),
        )
        stamp = self.ts(placed)
        for line_id, product_index, quantity, price, shipped, returned_units in lines:
            product_id, sku, name, _price, _weight = self.products[product_index]
            t["line"].add(
                line_id,
                order_id,
                product_id,
                sku,
                name,
                quantity,
                shipped,
                returned_units,
                money(price),
                money(price * quantity),
                stamp,
                stamp,
            )

    def return_request(self, order_id, lines, opened, warehouse):
        """An RMA on one or two lines; returns (id, refund cents or None, refunded at)."""
        rng, r, t, now = self.rng, self.rng.random, self.tables, self.now
        age = now - opened
        decided_at = received_at = refunded_at = closed_at = None
        resolution = "refund" if r() < 0.88 else "exchange"
        if age > DAY and r() < 0.06:
            status, decided_at = "rejected", opened + DAY / 2
        elif age < DAY:
            status = "requested"
        elif age < 4 * DAY:
            status, decided_at = "approved", opened + DAY / 2
        else:
            decided_at, received_at = opened + DAY / 2, opened + 4 * DAY
            if age < 7 * DAY:
                status = "received"
            elif resolution == "refund":
                status, refunded_at = "refunded", opened + 7 * DAY
            else:
                status, closed_at = "closed", opened + 7 * DAY
        return_id = self.take("return")
        refund = 0
        for line in rng.sample(lines, 2 if len(lines) > 1 and r() < 0.3 else 1):
            quantity = line[2] if r() < 0.8 else 1
            received = received_at is not None
            sellable = quantity if received and r() < 0.85 else 0
            t["return_line"].add(
                self.take("return_line"),
                return_id,
                line[0],
                quantity,
                self.pick_reason(r()),
                sellable,
                quantity - sellable if received else 0,
                self.products[line[1]][1],
            )
            if received:
                line[5] = quantity
            refund += line[3] * quantity
        last = refunded_at or closed_at or received_at or decided_at or opened
        t["return"].add(
            return_id,
            f"BDR{return_id:07d}",
            order_id,
            status,
            resolution,
            self.ts(decided_at) if decided_at else None,
            self.warehouses[warehouse],
            self.ts(received_at) if received_at else None,
            money(refund) if refunded_at else None,
            self.ts(refunded_at) if refunded_at else None,
            self.ts(closed_at) if closed_at else None,
            False,
            self.ts(opened),
            self.ts(last),
        )
        return return_id, (refund if refunded_at else None), refunded_at

    def stock(self) -> None:
        """Levels that match their allocations, with the ledger rows that explain them."""
        rng, t = self.rng, self.tables
        opened = self.ts(self.now - self.span - DAY)
        for product_index, (product_id, _sku, _name, _price, _weight) in enumerate(self.products):
            roll = rng.random()
            for warehouse_index, warehouse_id in enumerate(self.warehouses):
                level = self.level(product_index, warehouse_index)
                allocated = self.allocated[level]
                if roll < 0.04:  # sold out
                    free = 0
                elif roll < 0.12:  # at or below the reorder point
                    free = rng.randint(0, 15)
                else:
                    free = rng.randint(80, 600)
                on_hand, shipped = allocated + free, self.shipped[level]
                t["level"].add(level, product_id, warehouse_id, on_hand, allocated, opened)
                for kind, on_hand_delta, allocated_delta in (
                    ("receipt", on_hand + shipped, 0),
                    ("allocate", 0, allocated + shipped),
                ):
                    t["movement"].add(
                        self.take("movement"),
                        level,
                        product_id,
                        warehouse_id,
                        kind,
                        on_hand_delta,
                        allocated_delta,
                        on_hand_delta,
                        allocated_delta,
                        "bench:opening",
                        opened,
                    )

    def flush(self, cursor) -> None:
        for table in self.tables.values():
            table.flush(cursor)

    def load(self, conn) -> dict:
        with conn.cursor() as cursor:
            # Scratch data written in one go: skip the foreign-key triggers (CHECKs still run).
            cursor.execute("SET session_replication_role = replica")
            self.start_ids(cursor)
            started = time.perf_counter()
            names = [table.name for table in self.tables.values()]
            with IndexesDeferred(cursor, names) as deferred:
                self.catalog()
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
                self.stock()
                self.flush(cursor)
                print(f"  building {len(deferred.definitions)} indexes", file=sys.stderr)
            for table in self.tables.values():
                reset_sequence(cursor, table.model)
            cursor.execute("SET session_replication_role = DEFAULT")
        conn.commit()
        return {
            "rows": {name: table.written for name, table in self.tables.items()},
            "index_build_seconds": round(deferred.build_seconds, 1),
        }
