"""What a capture reads before it decides, sent together: on PostgreSQL one round trip carries
the transaction's BEGIN and every read (`oms.rows.pipelined`), and each answer is read where it
is needed (`oms.rows.Pending`).

The reads: the customer; the products with their stock levels and warehouses (one query, the
levels locked as they are read when the capture plans under locks); who listens to webhooks;
orders that could be duplicates; and ids for the order, its addresses and lines, taken from the
sequences so the writes need not wait for them (`orders.services.capture_store`).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial

from django.db import connection
from django.utils import timezone

from inventory.models import Product, StockLevel, Warehouse
from oms.numbering import reserve_ids_later
from oms.rows import Pending, columns, pipelined, send_models
from oms.webhooks import webhook_subscriptions_later
from orders.models import Address, Customer, Order, OrderLine
from orders.services.rules import duplicate_candidates_later


@dataclass
class Catalog:
    """The order's products by SKU, and the stock levels they have in active warehouses."""

    products: dict[str, Product]
    levels: dict[tuple[int, int], StockLevel]
    warehouses: dict[int, Warehouse]


def read_catalog(skus: set[str], *, lock: bool) -> Catalog:
    """The products and their levels in one query (a second only for SKUs without any level).
    With `lock`, the levels are locked in id order as they are read."""
    return read_catalog_later(skus, lock=lock).result()


def read_catalog_later(skus: set[str], *, lock: bool) -> Pending:
    """`read_catalog`, sent now and read when its `result()` is asked for."""
    skus = sorted(skus)
    sql = _catalog_sql(len(skus), lock, connection.features.has_select_for_update)
    rows = send_models(sql, skus, StockLevel, Product, Warehouse)
    return rows.then(partial(_catalog, skus))


def _catalog(skus: list[str], rows) -> Catalog:
    levels = []
    for level, product, warehouse in rows:
        level.product, level.warehouse = product, warehouse
        levels.append(level)
    products = {level.product.sku: level.product for level in levels}
    if missing := set(skus) - products.keys():
        products.update((p.sku, p) for p in Product.objects.filter(sku__in=missing))
    active = [level for level in levels if level.warehouse.is_active]
    return Catalog(
        products=products,
        levels={(level.product_id, level.warehouse_id): level for level in active},
        warehouses={level.warehouse_id: level.warehouse for level in active},
    )


@lru_cache(maxsize=64)
def _catalog_sql(skus: int, lock: bool, can_lock: bool) -> str:
    """The levels of `skus` SKUs with their products and warehouses, in StockLevel's order
    (or, locked, in id order)."""
    sql = (
        f"SELECT {columns(StockLevel, 'l')}, {columns(Product, 'p')}, {columns(Warehouse, 'w')}"
        f" FROM {StockLevel._meta.db_table} l"
        f" JOIN {Product._meta.db_table} p ON p.id = l.product_id"
        f" JOIN {Warehouse._meta.db_table} w ON w.id = l.warehouse_id"
        f" WHERE p.sku IN ({', '.join(['%s'] * skus)})"
    )
    if not lock:
        return sql + " ORDER BY l.product_id, w.priority"
    return sql + " ORDER BY l.id" + (" FOR UPDATE OF l" if can_lock else "")


@dataclass
class CaptureReads:
    """What a capture reads before it decides, sent together (`send_reads`); each is read
    with `result()` where it is needed."""

    placed_at: datetime
    customer: Pending  # [(Customer,)] with this email, or []
    catalog: Pending  # Catalog
    subscribed: Pending  # the webhook events someone listens to
    duplicates: Pending  # `rules.duplicate_candidates` of the order
    # [[order id], [address ids], [line ids]] from the sequences; None on SQLite
    ids: Pending | None


def send_reads(channel, request, *, lock_first: bool) -> CaptureReads:
    """Send every read of a capture at once: on PostgreSQL they go out together with the
    transaction's BEGIN, one round trip in all (`oms.rows.pipelined`)."""
    email = request.email.strip().lower()
    placed_at = request.placed_at or timezone.now()
    addresses = [a for a in (request.shipping_address, request.billing_address) if a is not None]
    with pipelined():
        return CaptureReads(
            placed_at=placed_at,
            customer=customer_lookup_later(email),
            catalog=read_catalog_later(
                {line.sku.strip() for line in request.lines}, lock=lock_first
            ),
            subscribed=webhook_subscriptions_later(),
            duplicates=duplicate_candidates_later(
                email=email, placed_at=placed_at, channel_id=channel.pk
            ),
            ids=reserve_ids_later(
                (Order, 1), (Address, len(addresses)), (OrderLine, len(request.lines))
            ),
        )


def customer_lookup_later(email: str) -> Pending:
    """The customer with this (lower-case) email, as [(Customer,)] or []."""
    return send_models(_customer_sql(), [email], Customer)


@lru_cache(maxsize=1)
def _customer_sql() -> str:
    table = Customer._meta.db_table
    return f"SELECT {columns(Customer, table)} FROM {table} WHERE {table}.email = %s"
