"""Ledger audit: recompute every level from its movements and report any drift."""

from dataclasses import dataclass

from django.db.models import Sum

from inventory.models import StockLevel, StockMovement


@dataclass(frozen=True)
class Drift:
    level_id: int
    sku: str
    warehouse: str
    on_hand: int
    ledger_on_hand: int
    allocated: int
    ledger_allocated: int

    def __str__(self) -> str:
        return (
            f"{self.sku} @ {self.warehouse}: on_hand {self.on_hand} vs ledger "
            f"{self.ledger_on_hand}, allocated {self.allocated} vs ledger {self.ledger_allocated}"
        )


def audit_ledger() -> tuple[int, list[Drift]]:
    """(levels checked, drifted levels). Two queries, whatever the number of movements."""
    sums = {
        row["stock_level"]: (row["on_hand"], row["allocated"])
        for row in StockMovement.objects.values("stock_level")
        .annotate(on_hand=Sum("on_hand_delta"), allocated=Sum("allocated_delta"))
        .order_by()
    }
    drifts, checked = [], 0
    levels = StockLevel.objects.values_list(
        "pk", "product__sku", "warehouse__code", "on_hand", "allocated"
    ).order_by("pk")
    for pk, sku, warehouse, on_hand, allocated in levels.iterator(chunk_size=5000):
        checked += 1
        ledger_on_hand, ledger_allocated = sums.get(pk, (0, 0))
        if (on_hand, allocated) != (ledger_on_hand, ledger_allocated):
            drifts.append(
                Drift(pk, sku, warehouse, on_hand, ledger_on_hand, allocated, ledger_allocated)
            )
    return checked, drifts
