"""The sourcing planner is pure: these tests need no database."""

from inventory.sourcing import PlannedAllocation, WarehouseStock, plan_sourcing

SHOES, SOCKS, HAT = 1, 2, 3
SKUS = {SHOES: "SHOE-1", SOCKS: "SOCK-1", HAT: "HAT-1"}


def warehouse(pk, code, country, priority, **available):
    stock = {{"shoes": SHOES, "socks": SOCKS, "hat": HAT}[name]: q for name, q in available.items()}
    return WarehouseStock(pk, code, country, priority, stock)


def test_single_warehouse_with_everything_is_preferred_over_a_higher_priority_split():
    east = warehouse(1, "EAST", "US", 1, shoes=5)
    west = warehouse(2, "WEST", "US", 2, shoes=5, socks=5)
    plan = plan_sourcing(
        lines={SHOES: 2, SOCKS: 1}, destination_country="US", warehouses=[east, west]
    )
    assert plan.allocations == [PlannedAllocation(2, SHOES, 2), PlannedAllocation(2, SOCKS, 1)]
    assert plan.is_complete
    assert plan.reason == "Allocated from WEST: the highest-priority warehouse that has every line."


def test_priority_decides_between_warehouses_that_both_have_everything():
    first = warehouse(1, "A", "DE", 1, shoes=5)
    second = warehouse(2, "B", "US", 2, shoes=5)
    plan = plan_sourcing(lines={SHOES: 1}, destination_country="US", warehouses=[second, first])
    assert plan.warehouse_ids() == [1]


def test_same_country_breaks_a_priority_tie():
    germany = warehouse(1, "BER", "DE", 1, shoes=5)
    america = warehouse(2, "NYC", "US", 1, shoes=5)
    plan = plan_sourcing(lines={SHOES: 1}, destination_country="us", warehouses=[germany, america])
    assert plan.warehouse_ids() == [2]
    assert plan.reason == (
        "Allocated from NYC: the highest-priority warehouse that has every line, "
        "and in the destination country (US)."
    )


def test_fewest_splits_when_no_single_warehouse_has_everything():
    shoes_only = warehouse(1, "A", "US", 1, shoes=5)
    socks_only = warehouse(2, "B", "US", 2, socks=5)
    hats_only = warehouse(3, "C", "US", 3, hat=5)
    socks_and_hats = warehouse(4, "D", "US", 4, socks=5, hat=5)
    plan = plan_sourcing(
        lines={SHOES: 1, SOCKS: 1, HAT: 1},
        destination_country="US",
        warehouses=[shoes_only, socks_only, hats_only, socks_and_hats],
    )
    assert sorted(plan.warehouse_ids()) == [1, 4]
    assert plan.is_complete
    assert plan.reason.startswith("Split across A and D: no single warehouse has every line")


def test_a_line_may_be_split_when_only_two_warehouses_together_have_enough():
    plan = plan_sourcing(
        lines={SHOES: 8},
        destination_country="US",
        warehouses=[warehouse(1, "A", "US", 1, shoes=5), warehouse(2, "B", "US", 2, shoes=5)],
    )
    assert plan.allocations == [PlannedAllocation(1, SHOES, 5), PlannedAllocation(2, SHOES, 3)]
    assert plan.is_complete


def test_shortfall_allocates_what_exists_and_reports_the_rest():
    plan = plan_sourcing(
        lines={SHOES: 4, SOCKS: 2},
        destination_country="US",
        warehouses=[warehouse(1, "A", "US", 1, shoes=3), warehouse(2, "B", "US", 2, socks=2)],
        skus=SKUS,
    )
    assert plan.allocations == [PlannedAllocation(1, SHOES, 3), PlannedAllocation(2, SOCKS, 2)]
    assert plan.shortfall == {SHOES: 1}
    assert not plan.is_complete
    assert plan.reason == "Allocated what exists from A, B; short SHOE-1 ×1, which is backordered."


def test_nothing_available_backorders_everything():
    plan = plan_sourcing(
        lines={HAT: 2}, destination_country="US", warehouses=[warehouse(1, "A", "US", 1)], skus=SKUS
    )
    assert plan.allocations == []
    assert plan.shortfall == {HAT: 2}
    assert plan.reason == "Nothing is available to allocate; short HAT-1 ×2, which is backordered."


def test_greedy_search_beyond_the_exhaustive_limit_still_covers():
    many = [warehouse(i, f"W{i:02}", "US", i, shoes=1) for i in range(1, 20)]
    plan = plan_sourcing(lines={SHOES: 3}, destination_country="US", warehouses=many)
    assert plan.is_complete
    assert sum(allocation.quantity for allocation in plan.allocations) == 3
    assert len(plan.warehouse_ids()) == 3
