"""Sourcing planner: which warehouses should ship an order's lines.

A pure function over a snapshot of availability, so it can be reasoned about and tested without
a database. Preference, in order:

1. one warehouse that has every line — lowest priority number first, then same country as the
   destination, then code;
2. otherwise the fewest warehouses that together have every line (preferred warehouses first);
3. otherwise allocate what exists, preferred warehouses first, and report the shortfall.

The plan carries a one-sentence reason for the order timeline.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

# Above this many candidate warehouses the exhaustive fewest-splits search is replaced by a
# greedy one (each step takes the warehouse covering the most outstanding units).
EXHAUSTIVE_SEARCH_LIMIT = 12


@dataclass(frozen=True)
class WarehouseStock:
    warehouse_id: int
    code: str
    country: str
    priority: int
    available: Mapping[int, int]  # product_id → units available to promise


@dataclass(frozen=True)
class PlannedAllocation:
    warehouse_id: int
    product_id: int
    quantity: int


@dataclass
class SourcingPlan:
    allocations: list[PlannedAllocation] = field(default_factory=list)
    shortfall: dict[int, int] = field(default_factory=dict)  # product_id → units missing
    reason: str = ""

    @property
    def is_complete(self) -> bool:
        return not self.shortfall

    def warehouse_ids(self) -> list[int]:
        return list(dict.fromkeys(allocation.warehouse_id for allocation in self.allocations))


def _preference(destination_country: str):
    def key(stock: WarehouseStock):
        return (stock.priority, stock.country.upper() != destination_country.upper(), stock.code)

    return key


def _covers(stocks: Sequence[WarehouseStock], needed: Mapping[int, int]) -> bool:
    return all(
        sum(stock.available.get(product_id, 0) for stock in stocks) >= quantity
        for product_id, quantity in needed.items()
    )


def _take(stocks: Sequence[WarehouseStock], needed: Mapping[int, int]) -> SourcingPlan:
    """Fill each line from the given warehouses in order; what is left over is the shortfall."""
    plan = SourcingPlan()
    for product_id, quantity in needed.items():
        outstanding = quantity
        for stock in stocks:
            if outstanding == 0:
                break
            units = min(outstanding, max(0, stock.available.get(product_id, 0)))
            if units:
                plan.allocations.append(PlannedAllocation(stock.warehouse_id, product_id, units))
                outstanding -= units
        if outstanding:
            plan.shortfall[product_id] = outstanding
    return plan


def _fewest_covering(ordered: Sequence[WarehouseStock], needed: Mapping[int, int]):
    if len(ordered) <= EXHAUSTIVE_SEARCH_LIMIT:
        for size in range(2, len(ordered) + 1):
            for combo in combinations(ordered, size):
                if _covers(combo, needed):
                    return list(combo)
        return None
    chosen, outstanding = [], dict(needed)
    remaining = list(ordered)
    while outstanding and remaining:
        best = max(
            remaining,
            key=lambda s: sum(min(q, s.available.get(p, 0)) for p, q in outstanding.items()),
        )
        gain = {p: min(q, best.available.get(p, 0)) for p, q in outstanding.items()}
        if not any(gain.values()):
            return None
        chosen.append(best)
        remaining.remove(best)
        outstanding = {p: q - gain[p] for p, q in outstanding.items() if q - gain[p] > 0}
    return None if outstanding else sorted(chosen, key=ordered.index)


def plan_sourcing(
    *,
    lines: Mapping[int, int],
    destination_country: str,
    warehouses: Sequence[WarehouseStock],
    skus: Mapping[int, str] | None = None,
) -> SourcingPlan:
    """Choose warehouses for `lines` (product_id → quantity) shipping to `destination_country`."""
    needed = {product_id: quantity for product_id, quantity in lines.items() if quantity > 0}
    skus = skus or {}
    ordered = sorted(warehouses, key=_preference(destination_country))
    if not needed:
        return SourcingPlan(reason="Nothing to allocate.")

    single = [stock for stock in ordered if _covers([stock], needed)]
    if single:
        best = single[0]
        plan = _take([best], needed)
        same_country = best.country.upper() == destination_country.upper()
        tied = [s for s in single if s.priority == best.priority and s is not best]
        why = "the highest-priority warehouse that has every line"
        if same_country and any(s.country.upper() != best.country.upper() for s in tied):
            why += f", and in the destination country ({best.country})"
        plan.reason = f"Allocated from {best.code}: {why}."
        return plan

    combo = _fewest_covering(ordered, needed)
    if combo:
        plan = _take(combo, needed)
        names = " and ".join(stock.code for stock in combo)
        plan.reason = (
            f"Split across {names}: no single warehouse has every line, and "
            f"{len(combo)} is the fewest that do."
        )
        return plan

    plan = _take(ordered, needed)
    short = ", ".join(
        f"{skus.get(product_id, product_id)} ×{units}"
        for product_id, units in sorted(plan.shortfall.items(), key=lambda item: str(item[0]))
    )
    used = [stock.code for stock in ordered if stock.warehouse_id in plan.warehouse_ids()]
    if used:
        plan.reason = (
            f"Allocated what exists from {', '.join(used)}; short {short}, which is backordered."
        )
    else:
        plan.reason = f"Nothing is available to allocate; short {short}, which is backordered."
    return plan
