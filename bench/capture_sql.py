"""The plain-SQL ceiling of `bench/capture.py`: the same writes as an API capture, with psycopg 3
and no ORM, one transaction per order, from C connections."""

import contextlib
import os
from collections.abc import Iterator
from decimal import Decimal

import psycopg

from bench.capture_data import ADDRESS, SHIPPING, Fixture
from bench.capture_load import in_parallel

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


@contextlib.contextmanager
def sql_clients(count: int) -> Iterator[list[psycopg.Connection]]:
    """`count` connections, opened before and closed after the timed part."""
    connections = [psycopg.connect(os.environ["DATABASE_URL"]) for _ in range(count)]
    try:
        yield connections
    finally:
        for connection in connections:
            connection.close()


def run_plain_sql(
    fixture: Fixture, orders: list[dict], connections: list[psycopg.Connection]
) -> tuple[float, list[str]]:
    """Every order once, each connection a client; returns (seconds, errors)."""
    errors: list[str] = []

    def client(connection):
        def capture(index: int) -> None:
            try:
                sql_capture(connection, fixture, orders[index])
            except (Shortage, psycopg.Error) as error:
                errors.append(repr(error)[:200])

        return capture

    return in_parallel(len(orders), [client(c) for c in connections]), errors
