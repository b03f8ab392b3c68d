"""Catalog, warehouses, stock levels and the append-only stock ledger.

The database itself guards the stock invariants (CHECK constraints below); `inventory.services`
is the only code that changes a level, and it writes a ledger row for every change.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest, Upper

from oms.models import TimeStampedModel
from oms.money import MONEY
from oms.validators import validate_code, validate_reference


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        """A scanned barcode or a whole SKU finds just that product (one index lookup);
        anything else matches a SKU prefix or part of the name."""
        text = text.strip()
        if not text:
            return self
        exact = self.filter(Q(barcode=text) | Q(sku=text) | Q(sku=text.upper()))
        if exact.exists():
            return exact
        return self.filter(Q(sku__istartswith=text) | Q(name__icontains=text))


class Product(TimeStampedModel):
    """One sellable SKU."""

    sku = models.CharField(
        "SKU",
        max_length=64,
        unique=True,
        validators=[validate_reference],
        help_text="Letters, digits and ASCII punctuation such as - _ . / # +; no spaces.",
    )
    name = models.CharField(max_length=200)
    barcode = models.CharField(
        max_length=32, blank=True, default="", help_text="GTIN / EAN / UPC printed on the item."
    )
    weight_grams = models.PositiveIntegerField(default=0)
    price = models.DecimalField(**MONEY, default=0)
    cost = models.DecimalField(**MONEY, default=0)
    is_active = models.BooleanField(default=True)
    reorder_point = models.PositiveIntegerField(
        default=0, help_text="Reorder when available to promise falls to this."
    )
    reorder_quantity = models.PositiveIntegerField(default=0)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["barcode"], condition=~Q(barcode=""), name="product_barcode_unique"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_non_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_non_negative"),
        ]
        indexes = [
            models.Index(fields=["is_active", "sku"], name="product_active_sku"),
            # A SKU typed in any case finds its product (`product_by_sku`).
            models.Index(Upper("sku"), name="product_sku_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"


class WarehouseQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Warehouse(TimeStampedModel):
    code = models.CharField(
        max_length=20,
        unique=True,
        validators=[validate_code],
        help_text="Letters, digits, hyphens (-) and underscores (_).",
    )
    name = models.CharField(max_length=100)
    address_line1 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. US.")
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower ships first.")
    is_active = models.BooleanField(default=True)

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.code


def available_expression():
    """ATP of a level in SQL: max(0, on_hand − allocated − safety_stock)."""
    return Greatest(F("on_hand") - F("allocated") - F("safety_stock"), 0)


class StockLevelQuerySet(models.QuerySet):
    def in_active_warehouses(self):
        return self.filter(warehouse__is_active=True)

    def with_available(self):
        return self.annotate(available_to_promise=available_expression())

    def totals(self) -> dict:
        return self.aggregate(
            on_hand=Sum("on_hand", default=0),
            allocated=Sum("allocated", default=0),
            available=Sum(available_expression(), default=0),
        )


class StockLevel(TimeStampedModel):
    """How many units of a product one warehouse holds, and how many are promised to orders."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    safety_stock = models.IntegerField(default=0)
    bin_location = models.CharField(max_length=40, blank=True, default="")

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "warehouse__priority"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_non_negative"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0), name="stock_allocated_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(safety_stock__gte=0), name="stock_safety_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("on_hand")), name="stock_allocated_within_on_hand"
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "product"], name="stock_level_warehouse")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}"

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.allocated - self.safety_stock)


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    ADJUSTMENT = "adjustment", "Adjustment"
    COUNT = "count", "Count"
    DAMAGE = "damage", "Damage / write-off"
    ALLOCATE = "allocate", "Allocate"
    RELEASE = "release", "Release"
    SHIP = "ship", "Ship"
    RESTOCK = "restock", "Restock (return)"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    SETTINGS = "settings", "Safety stock / bin change"


class StockMovement(models.Model):
    """Append-only ledger. Per level, the deltas sum to `on_hand` and `allocated`."""

    stock_level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="movements")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(default=0)
    allocated_delta = models.IntegerField(default=0)
    on_hand_after = models.IntegerField()
    allocated_after = models.IntegerField()
    reference = models.CharField(max_length=100, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["product", "-created_at"], name="movement_product_time"),
            models.Index(fields=["warehouse", "-created_at"], name="movement_warehouse_time"),
            models.Index(fields=["kind", "-created_at"], name="movement_kind_time"),
            models.Index(fields=["stock_level", "id"], name="movement_level"),
            models.Index(fields=["reference"], name="movement_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta:+}/{self.allocated_delta:+} {self.reference}"
