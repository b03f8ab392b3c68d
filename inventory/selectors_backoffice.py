"""Reads the back-office screens need beyond `inventory.selectors` (pages: `oms.paging`)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import F, Q, QuerySet

from inventory import selectors
from inventory.backorders import backorder_demand
from inventory.models import Product, StockLevel, StockMovement, Warehouse

# --- products -------------------------------------------------------------------------------


def low_stock_count() -> int:
    """Products at or below their reorder point (the home page's figure; one query)."""
    return selectors.low_stock().count()


def product_by_code(code: str) -> Product | None:
    """The product a scanned barcode or typed SKU names: barcode, then SKU, then SKU in any case."""
    code = code.strip()
    if not code:
        return None
    matches = Product.objects.filter(Q(barcode=code) | Q(sku__iexact=code))[:5]
    ranked = sorted(matches, key=lambda product: (product.barcode != code, product.sku != code))
    return ranked[0] if ranked else None


def product_by_sku(sku: str) -> Product | None:
    """The product a typed SKU names, in any case (`mug-nat-m` is MUG-NAT-M): the exact SKU
    first, should two SKUs differ only in case. One query, on the upper-case SKU index."""
    sku = sku.strip()
    if not sku:
        return None
    matches = Product.objects.filter(sku__iexact=sku)[:5]
    return min(matches, key=lambda product: product.sku != sku, default=None)


def products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    skus = set(skus)
    if not skus:
        return {}
    return {product.sku: product for product in Product.objects.filter(sku__in=skus)}


def active_level_totals(levels: Iterable[StockLevel]) -> dict[str, int]:
    """A product's totals over its levels in active warehouses (what can ship)."""
    active = [level for level in levels if level.warehouse.is_active]
    return {
        "on_hand": sum(level.on_hand for level in active),
        "allocated": sum(level.allocated for level in active),
        "safety_stock": sum(level.safety_stock for level in active),
        "available": sum(level.available for level in active),
    }


# --- ledger ---------------------------------------------------------------------------------

LEDGER_ORDER = ("-created_at", "-id")


def ledger_key(movement_id: int) -> tuple | None:
    """The keyset key (created_at, id) of a movement, from the id a page link carries."""
    row = StockMovement.objects.filter(pk=movement_id).values_list("created_at", "id").first()
    return tuple(row) if row else None


# --- warehouses -----------------------------------------------------------------------------


def warehouse_by_code(code: str) -> Warehouse | None:
    return Warehouse.objects.filter(code=code).first()


def warehouse_levels(*, warehouse: Warehouse) -> QuerySet[StockLevel]:
    """A warehouse's levels with product, SKU (for keyset order) and available to promise."""
    return (
        StockLevel.objects.filter(warehouse=warehouse)
        .select_related("product")
        .with_available()
        .annotate(sku=F("product__sku"))
    )


# --- low stock ------------------------------------------------------------------------------

LOW_STOCK_ORDER = ("total_available", "sku")


@dataclass(frozen=True)
class LowStockRow:
    product: Product
    on_hand: int
    allocated: int
    available: int
    reorder_point: int
    # Units backordered orders wait for: already sold, so the suggestion adds them.
    backordered: int
    suggested_quantity: int


# Products whose backorder demand is read in one query (a page is 100; the CSV streams).
LOW_STOCK_BATCH = 2000


def low_stock_rows(products: Iterable[Product]) -> Iterator[LowStockRow]:
    """Rows for products from `selectors.low_stock()`, with the quantity to reorder: the usual
    suggestion plus what backordered orders wait for (one query per batch of products)."""
    products = iter(products)
    while batch := list(islice(products, LOW_STOCK_BATCH)):
        demand = backorder_demand(product.pk for product in batch)
        for product in batch:
            backordered = demand.get(product.pk, 0)
            yield LowStockRow(
                product=product,
                on_hand=product.total_on_hand,
                allocated=product.total_allocated,
                available=product.total_available,
                reorder_point=product.reorder_point,
                backordered=backordered,
                suggested_quantity=selectors.suggested_reorder_quantity(
                    product, product.total_available
                )
                + backordered,
            )


# --- count import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountImportStock:
    """What a counts file is checked against: known SKUs and codes, and the current levels."""

    products: dict[str, Product]
    warehouses: dict[str, Warehouse]
    # (sku, warehouse code) → (on_hand, allocated); a missing pair has no level yet (0, 0).
    levels: dict[tuple[str, str], tuple[int, int]]


def count_import_stock(*, skus: Iterable[str], warehouse_codes: Iterable[str]) -> CountImportStock:
    """Three queries, whatever the number of rows."""
    products = products_by_sku(skus)
    codes = set(warehouse_codes)
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in=codes)} if codes else {}
    levels = {}
    if products and warehouses:
        rows = StockLevel.objects.filter(
            product__in=products.values(), warehouse__in=warehouses.values()
        ).values_list("product__sku", "warehouse__code", "on_hand", "allocated")
        levels = {(sku, code): (on_hand, allocated) for sku, code, on_hand, allocated in rows}
    return CountImportStock(products=products, warehouses=warehouses, levels=levels)
