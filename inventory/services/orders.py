"""The stock primitives the order, shipping and returns apps call: reserve for an order, release,
ship (consume) and restock."""

from collections.abc import Sequence

from django.db import transaction

from inventory.models import MovementKind, Product, StockLevel, Warehouse
from inventory.services.ledger import (
    Change,
    StockLine,
    apply_changes,
    check_quantity,
    write_changes,
)


def _line_changes(lines: Sequence[StockLine], kind: str, on_hand: int, allocated: int):
    return [
        Change(
            line.product,
            line.warehouse,
            kind,
            on_hand_delta=on_hand * check_quantity(line.quantity),
            allocated_delta=allocated * line.quantity,
        )
        for line in lines
    ]


@transaction.atomic
def stock_reserve(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Allocate units to an order, all lines or none; refuses beyond available to promise."""
    changes = _line_changes(lines, MovementKind.ALLOCATE, on_hand=0, allocated=1)
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=False)


def stock_reserve_locked(
    *,
    levels: dict[tuple[int, int], StockLevel],
    lines: Sequence[StockLine],
    reference: str,
    actor=None,
    subscribed: frozenset[str] | None = None,
) -> list[StockLevel]:
    """`stock_reserve` for levels the caller has locked in its own transaction (`lock_levels`):
    order capture takes the locks as its last read, just before these writes."""
    changes = _line_changes(lines, MovementKind.ALLOCATE, on_hand=0, allocated=1)
    return write_changes(
        levels, changes, actor=actor, reference=reference, note="", subscribed=subscribed
    )


@transaction.atomic
def stock_release(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Give allocated units back to available (order cancelled, edited or re-routed)."""
    changes = _line_changes(lines, MovementKind.RELEASE, on_hand=0, allocated=-1)
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=False)


@transaction.atomic
def stock_consume(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Ship allocated units: on_hand and allocated both drop."""
    changes = _line_changes(lines, MovementKind.SHIP, on_hand=-1, allocated=-1)
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=False)


@transaction.atomic
def stock_restock(
    *, product: Product, warehouse: Warehouse, quantity: int, reference: str, actor=None, note=""
) -> StockLevel:
    """Put returned, sellable units back on hand."""
    change = Change(
        product, warehouse, MovementKind.RESTOCK, on_hand_delta=check_quantity(quantity)
    )
    return apply_changes(
        [change], actor=actor, reference=reference, note=note, create_missing=True
    )[0]
