"""Reads: catalog lists, levels, availability, the ledger, low stock, sourcing snapshots."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from inventory.models import Product, StockLevel, StockMovement, Warehouse

STOCK_FILTERS = ("low", "out", "in_stock")


def _level_totals(warehouse: Warehouse | None = None) -> dict:
    """Subqueries summing a product's levels in active warehouses (or in one warehouse)."""
    levels = StockLevel.objects.filter(product=OuterRef("pk"), warehouse__is_active=True)
    if warehouse is not None:
        levels = levels.filter(warehouse=warehouse)
    levels = levels.order_by().values("product")

    def total(expression):
        return Coalesce(
            Subquery(levels.annotate(total=Sum(expression)).values("total")[:1]),
            Value(0),
            output_field=IntegerField(),
        )

    return {
        "total_on_hand": total(F("on_hand")),
        "total_allocated": total(F("allocated")),
        "total_available": total(Greatest(F("on_hand") - F("allocated") - F("safety_stock"), 0)),
    }


def product_list(
    *,
    q: str = "",
    active: bool | None = None,
    stock: str = "",
    warehouse: Warehouse | None = None,
) -> QuerySet[Product]:
    """Products with their stock totals, filtered; ordered by SKU (index-backed)."""
    products = Product.objects.search(q).annotate(**_level_totals(warehouse))
    if active is not None:
        products = products.filter(is_active=active)
    if warehouse is not None:
        products = products.filter(levels__warehouse=warehouse)
    if stock == "out":
        products = products.filter(total_available=0)
    elif stock == "low":
        products = products.filter(total_available__lte=F("reorder_point"), reorder_point__gt=0)
    elif stock == "in_stock":
        products = products.filter(total_available__gt=0)
    return products.order_by("sku")


def product_detail(*, sku: str) -> Product:
    return Product.objects.get(sku=sku)


def product_levels(*, product: Product) -> list[StockLevel]:
    """Every level of a product, active warehouses first, with the warehouse loaded."""
    return list(
        StockLevel.objects.filter(product=product)
        .select_related("warehouse")
        .order_by("-warehouse__is_active", "warehouse__priority", "warehouse__code")
    )


def levels_for_skus(*, skus: list[str]) -> list[StockLevel]:
    return list(
        StockLevel.objects.filter(product__sku__in=skus)
        .select_related("product", "warehouse")
        .order_by("product__sku", "warehouse__priority", "warehouse__code")
    )


def availability(*, skus: list[str]) -> dict[str, dict]:
    """Available to promise per SKU over active warehouses; unknown SKUs are left out."""
    products = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
    found = {sku: {"sku": sku, "available": 0, "on_hand": 0, "allocated": 0} for sku in products}
    rows = (
        StockLevel.objects.in_active_warehouses()
        .filter(product__sku__in=skus)
        .values("product__sku")
        .annotate(
            total_on_hand=Sum("on_hand"),
            total_allocated=Sum("allocated"),
            total_available=Sum(Greatest(F("on_hand") - F("allocated") - F("safety_stock"), 0)),
        )
        .order_by()
    )
    for row in rows:
        found[row["product__sku"]].update(
            available=row["total_available"],
            on_hand=row["total_on_hand"],
            allocated=row["total_allocated"],
        )
    return found


def ledger(
    *,
    product: Product | None = None,
    warehouse: Warehouse | None = None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    reference: str = "",
) -> QuerySet[StockMovement]:
    movements = StockMovement.objects.select_related("product", "warehouse", "actor")
    if product is not None:
        movements = movements.filter(product=product)
    if warehouse is not None:
        movements = movements.filter(warehouse=warehouse)
    if kind:
        movements = movements.filter(kind=kind)
    if date_from:
        movements = movements.filter(created_at__date__gte=date_from)
    if date_to:
        movements = movements.filter(created_at__date__lte=date_to)
    if reference:
        movements = movements.filter(reference=reference)
    return movements.order_by("-created_at", "-id")


def suggested_reorder_quantity(product: Product, available: int) -> int:
    """The product's reorder quantity, or enough to get back to twice the reorder point."""
    if product.reorder_quantity:
        return product.reorder_quantity
    return max(0, 2 * product.reorder_point - available)


def low_stock() -> QuerySet[Product]:
    """Active products at or below their reorder point, emptiest first."""
    return (
        product_list(active=True)
        .filter(reorder_point__gt=0, total_available__lte=F("reorder_point"))
        .order_by("total_available", "sku")
    )


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.annotate(
        product_count=Count("levels", filter=Q(levels__on_hand__gt=0)),
        units_on_hand=Coalesce(Sum("levels__on_hand"), 0),
        units_allocated=Coalesce(Sum("levels__allocated"), 0),
    ).order_by("priority", "code")


# --- the manager dashboard ------------------------------------------------------------------


@dataclass(frozen=True)
class StockPosition:
    sku: str
    name: str
    available: int
    reorder_point: int
    shipped_recently: int  # units shipped over the velocity window
    window_days: int

    @property
    def daily_sales(self) -> Decimal:
        return Decimal(self.shipped_recently) / self.window_days if self.window_days else Decimal(0)

    @property
    def days_of_cover(self) -> Decimal | None:
        """Available to promise ÷ average daily units shipped; None when nothing sells."""
        if not self.shipped_recently:
            return None
        return (Decimal(self.available) / self.daily_sales).quantize(Decimal("0.1"))

    @property
    def is_out(self) -> bool:
        return self.available <= 0


def stock_positions(*, since: datetime, window_days: int, limit: int = 100) -> list[StockPosition]:
    """Active products out of stock or at/below their reorder point, with how fast they sold
    (units shipped since `since`, from the ledger): emptiest first (two queries)."""
    short = list(
        product_list(active=True)
        .filter(
            Q(total_available=0) | Q(reorder_point__gt=0, total_available__lte=F("reorder_point"))
        )
        .order_by("total_available", "sku")
        .values("pk", "sku", "name", "total_available", "reorder_point")[:limit]
    )
    shipped = dict(
        StockMovement.objects.filter(
            kind="ship", product_id__in=[row["pk"] for row in short], created_at__gte=since
        )
        .values("product_id")
        .annotate(units=Sum(-F("on_hand_delta")))
        .values_list("product_id", "units")
    )
    return [
        StockPosition(
            sku=row["sku"],
            name=row["name"],
            available=row["total_available"],
            reorder_point=row["reorder_point"],
            shipped_recently=shipped.get(row["pk"], 0) or 0,
            window_days=window_days,
        )
        for row in short
    ]


def inventory_value_by_warehouse() -> list[dict]:
    """Units on hand and their value at cost per warehouse (one grouped query)."""
    return list(
        StockLevel.objects.values("warehouse__code", "warehouse__name")
        .annotate(
            units=Coalesce(Sum("on_hand"), 0),
            value=Coalesce(
                Sum(
                    F("on_hand") * F("product__cost"),
                    output_field=DecimalField(max_digits=18, decimal_places=2),
                ),
                Value(Decimal("0.00")),
            ),
        )
        .order_by("warehouse__code")
    )
