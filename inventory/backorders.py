"""Orders waiting for stock, as the app above inventory reports them.

Inventory never imports orders, yet two of its screens need to know about backorders: the
low-stock page adds the units backordered orders wait for to what it suggests reordering, and
the receive screens say which orders a delivery made ready. Orders registers both answers in its
`AppConfig.ready`; without them (inventory on its own) nothing waits and nothing is released.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from inventory.models import Product, StockLevel, Warehouse
from inventory.services import stock_receive_lines


@dataclass(frozen=True)
class BackorderSource:
    # demand(product_ids=…) → {product_id: units backordered orders still wait for}
    demand: Callable[..., dict[int, int]]
    # release(product_ids=…) → numbers of the orders that available stock made ready, oldest
    # first; each order in its own transaction.
    release: Callable[..., list[str]]


_source: BackorderSource | None = None


def register(source: BackorderSource) -> None:
    global _source
    _source = source


def backorder_demand(product_ids: Iterable[int]) -> dict[int, int]:
    """Units backordered orders wait for, per product (products nobody waits for are absent)."""
    product_ids = set(product_ids)
    if _source is None or not product_ids:
        return {}
    return _source.demand(product_ids=product_ids)


@dataclass(frozen=True)
class Receipt:
    levels: list[StockLevel]
    # The backordered orders the received units made ready, oldest first.
    released: list[str]


def stock_receive_releasing(
    *,
    warehouse: Warehouse,
    lines: Sequence[tuple[Product, int]],
    actor=None,
    reference: str = "",
    note: str = "",
) -> Receipt:
    """Receive lines as `stock_receive_lines` does, then give the units to the backordered orders
    waiting for them at once, so the person receiving learns which orders are now ready.

    The release runs once the receipt has committed, so no stock lock is held while orders are
    processed, and it is registered before the receipt's own after-commit work: the worker
    nudge that the stock signal queues runs after it and finds those orders done. Should the
    release fail, it is logged and that nudge (and the backorder sweeper) still does the work;
    the receipt stands either way. Call it outside a transaction (the views do).
    """
    product_ids = {product.pk for product, _ in lines}
    released: list[str] = []

    def release() -> None:
        if _source is not None:
            released.extend(_source.release(product_ids=product_ids))

    with transaction.atomic(durable=True):
        transaction.on_commit(release, robust=True)
        levels = stock_receive_lines(
            warehouse=warehouse, lines=lines, actor=actor, reference=reference, note=note
        )
    return Receipt(levels=levels, released=released)
