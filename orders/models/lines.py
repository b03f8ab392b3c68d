"""An order's lines and the stock each has reserved (its allocations)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from inventory.models import Product, StockLevel
from oms.models import TimeStampedModel
from oms.money import MONEY
from orders.models.orders import Order


class OrderLine(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # Null when the channel sent a SKU we do not know: the order is held `unknown_sku`.
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines"
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True, default="")
    quantity = models.PositiveIntegerField()
    quantity_cancelled = models.PositiveIntegerField(default=0)
    # Kept by `orders.services.order_record_shipment` / `order_record_return`, which shipping
    # and returns call; allocated units derive from the allocation rows.
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_returned = models.PositiveIntegerField(default=0)
    unit_price = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_cancelled__lte=models.F("quantity")),
                name="order_line_cancelled_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(
                    quantity_shipped__lte=models.F("quantity") - models.F("quantity_cancelled")
                ),
                name="order_line_shipped_within_kept",
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__lte=models.F("quantity_shipped")),
                name="order_line_returned_within_shipped",
            ),
        ]
        # The search finds the newest orders of a SKU typed in any case, from the index alone.
        indexes = [models.Index(Upper("sku"), "order", name="order_line_sku_upper")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def quantity_net(self) -> int:
        """Units the customer keeps buying: ordered minus cancelled (what the line charges)."""
        return self.quantity - self.quantity_cancelled

    @property
    def quantity_open(self) -> int:
        """Units still to ship: ordered minus cancelled minus shipped. Only these are ever
        allocated, re-allocated, released or cancelled."""
        return self.quantity - self.quantity_cancelled - self.quantity_shipped


class Allocation(TimeStampedModel):
    """Units of a line reserved at one warehouse (its stock level)."""

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    stock_level = models.ForeignKey(
        StockLevel, on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "stock_level"], name="allocation_line_level_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="allocation_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id} at level {self.stock_level_id}"
