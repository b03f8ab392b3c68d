"""Stock coming in, going out and being counted: receipts, adjustments, write-offs, counts,
transfers and a level's settings."""

from collections.abc import Sequence

from django.db import transaction

from inventory.errors import InvalidQuantity
from inventory.models import MovementKind, Product, StockLevel, StockMovement, Warehouse
from inventory.services.ledger import (
    Change,
    after_change,
    apply_changes,
    check_quantity,
    lock_levels,
)


@transaction.atomic
def stock_receive(
    *, product: Product, warehouse: Warehouse, quantity: int, actor=None, reference="", note=""
) -> StockLevel:
    """Book units received at a warehouse."""
    return stock_receive_lines(
        warehouse=warehouse,
        lines=[(product, quantity)],
        actor=actor,
        reference=reference,
        note=note,
    )[0]


@transaction.atomic
def stock_receive_lines(
    *,
    warehouse: Warehouse,
    lines: Sequence[tuple[Product, int]],
    actor=None,
    reference: str = "",
    note: str = "",
) -> list[StockLevel]:
    """Receive several products at once, all or nothing (the receive screen)."""
    if not lines:
        raise InvalidQuantity("Nothing to receive.", fields={"lines": ["Add at least one line."]})
    changes = [
        Change(product, warehouse, MovementKind.RECEIPT, on_hand_delta=check_quantity(quantity))
        for product, quantity in lines
    ]
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=True)


@transaction.atomic
def stock_adjust(
    *,
    product: Product,
    warehouse: Warehouse,
    delta: int,
    kind: str = MovementKind.ADJUSTMENT,
    actor=None,
    reference: str = "",
    note: str = "",
) -> StockLevel:
    """Change on_hand by ±delta: a correction, a receipt, or damage written off.

    Damage always removes units, whichever sign the delta was given with.
    """
    if kind not in {MovementKind.ADJUSTMENT, MovementKind.RECEIPT, MovementKind.DAMAGE}:
        raise InvalidQuantity(
            f"{kind} is not an adjustment reason.",
            fields={"reason": ["Use receipt, adjustment or damage."]},
        )
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InvalidQuantity("The change must be a whole number other than zero.")
    if kind == MovementKind.RECEIPT and delta < 0:
        raise InvalidQuantity("A receipt adds stock; use an adjustment to remove it.")
    if kind == MovementKind.DAMAGE and delta > 0:
        delta = -delta
    change = Change(product, warehouse, kind, on_hand_delta=delta)
    return apply_changes(
        [change], actor=actor, reference=reference, note=note, create_missing=True
    )[0]


@transaction.atomic
def stock_write_off(
    *, product: Product, warehouse: Warehouse, quantity: int, actor=None, reference="", note=""
) -> StockLevel:
    """Write off damaged or lost units."""
    change = Change(
        product, warehouse, MovementKind.DAMAGE, on_hand_delta=-check_quantity(quantity)
    )
    return apply_changes(
        [change], actor=actor, reference=reference, note=note, create_missing=False
    )[0]


@transaction.atomic
def stock_count(
    *, product: Product, warehouse: Warehouse, counted: int, actor=None, reference="", note=""
) -> StockLevel:
    """Set on_hand to what was counted; the ledger records the variance."""
    return stock_count_lines(
        counts=[(product, warehouse, counted)], actor=actor, reference=reference, note=note
    )[0]


@transaction.atomic
def stock_count_lines(
    *,
    counts: Sequence[tuple[Product, Warehouse, int] | tuple[Product, Warehouse, int, str]],
    actor=None,
    reference: str = "",
    note: str = "",
) -> list[StockLevel]:
    """Apply many counts in one transaction (CSV import); any refusal changes nothing.

    A count may carry a fourth item, its own note, which replaces `note` on its ledger row.
    """
    changes = [
        Change(
            count[0],
            count[1],
            MovementKind.COUNT,
            counted=check_quantity(count[2], allow_zero=True, field="counted"),
            note=count[3] if len(count) > 3 else None,
        )
        for count in counts
    ]
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=True)


@transaction.atomic
def stock_transfer(
    *,
    product: Product,
    source: Warehouse,
    destination: Warehouse,
    quantity: int,
    actor=None,
    reference: str = "",
    note: str = "",
) -> tuple[StockLevel, StockLevel]:
    """Move unallocated units between warehouses: a transfer_out and a transfer_in row."""
    if source.pk == destination.pk:
        raise InvalidQuantity(
            "Pick a different destination warehouse.",
            fields={"destination": ["Must differ from the source."]},
        )
    quantity = check_quantity(quantity)
    changes = [
        Change(product, source, MovementKind.TRANSFER_OUT, on_hand_delta=-quantity),
        Change(product, destination, MovementKind.TRANSFER_IN, on_hand_delta=quantity),
    ]
    levels = apply_changes(
        changes, actor=actor, reference=reference, note=note, create_missing=True
    )
    by_warehouse = {level.warehouse_id: level for level in levels}
    return by_warehouse[source.pk], by_warehouse[destination.pk]


@transaction.atomic
def stock_level_update(
    *,
    product: Product,
    warehouse: Warehouse,
    safety_stock: int | None = None,
    bin_location: str | None = None,
    actor=None,
) -> StockLevel:
    """Set a level's safety stock or bin location.

    Neither moves units, but safety stock changes what can be promised, so a change is
    recorded in the ledger as a `settings` row with zero deltas, its actor and what changed.
    """
    key = (product.pk, warehouse.pk)
    level = lock_levels([key], create_missing=True)[key]
    before = {key: level.available}
    changes = []
    if safety_stock is not None:
        safety_stock = check_quantity(safety_stock, allow_zero=True, field="safety_stock")
        if safety_stock != level.safety_stock:
            changes.append(f"safety stock {level.safety_stock} → {safety_stock}")
            level.safety_stock = safety_stock
    if bin_location is not None:
        bin_location = bin_location.strip()[:40]
        if bin_location != level.bin_location:
            changes.append(f"bin “{level.bin_location}” → “{bin_location}”")
            level.bin_location = bin_location
    if not changes:
        return level
    level.save(update_fields=["safety_stock", "bin_location", "updated_at"])
    StockMovement.objects.create(
        stock_level=level,
        product=product,
        warehouse=warehouse,
        kind=MovementKind.SETTINGS,
        on_hand_after=level.on_hand,
        allocated_after=level.allocated,
        note="; ".join(changes),
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    after_change(before, {key: level})
    return level
