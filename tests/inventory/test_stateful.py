"""Random sequences of every stock operation keep the invariants, step after step."""

import itertools

import pytest
from django.db.models import Sum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from inventory import services
from inventory.errors import InsufficientStock, NegativeStock, OverRelease, StockAllocated
from inventory.models import StockLevel, StockMovement
from inventory.services import StockLine
from tests.inventory.factories import ProductFactory, WarehouseFactory

WAREHOUSES = 2
machine_ids = itertools.count()


class StockMachine(RuleBasedStateMachine):
    """Mirrors each level in plain Python and checks the database agrees after every step."""

    def __init__(self):
        super().__init__()
        run = next(machine_ids)
        self.product = ProductFactory(sku=f"HYP-{run}")
        self.warehouses = [WarehouseFactory(code=f"H{run}-{i}") for i in range(WAREHOUSES)]
        self.model = {w.pk: {"on_hand": 0, "allocated": 0, "safety": 0} for w in self.warehouses}

    def _level(self, index: int) -> dict:
        return self.model[self.warehouses[index].pk]

    def _available(self, index: int) -> int:
        level = self._level(index)
        return max(0, level["on_hand"] - level["allocated"] - level["safety"])

    warehouse_index = st.integers(0, WAREHOUSES - 1)

    @rule(index=warehouse_index, quantity=st.integers(1, 20))
    def receive(self, index, quantity):
        services.stock_receive(
            product=self.product, warehouse=self.warehouses[index], quantity=quantity
        )
        self._level(index)["on_hand"] += quantity

    @rule(index=warehouse_index, delta=st.integers(-15, 15).filter(bool))
    def adjust(self, index, delta):
        level = self._level(index)
        after = level["on_hand"] + delta
        call = lambda: services.stock_adjust(  # noqa: E731
            product=self.product, warehouse=self.warehouses[index], delta=delta
        )
        if after < 0:
            with pytest.raises(NegativeStock):
                call()
        elif after < level["allocated"]:
            with pytest.raises(StockAllocated):
                call()
        else:
            call()
            level["on_hand"] = after

    @rule(index=warehouse_index, counted=st.integers(0, 30))
    def count(self, index, counted):
        level = self._level(index)
        call = lambda: services.stock_count(  # noqa: E731
            product=self.product, warehouse=self.warehouses[index], counted=counted
        )
        if counted < level["allocated"]:
            with pytest.raises(StockAllocated):
                call()
        else:
            call()
            level["on_hand"] = counted

    @rule(index=warehouse_index, quantity=st.integers(1, 10))
    def reserve(self, index, quantity):
        line = StockLine(self.product, self.warehouses[index], quantity)
        if quantity > self._available(index):
            with pytest.raises(InsufficientStock):
                services.stock_reserve(lines=[line], reference="hyp")
        else:
            services.stock_reserve(lines=[line], reference="hyp")
            self._level(index)["allocated"] += quantity

    @rule(index=warehouse_index, quantity=st.integers(1, 10), ship=st.booleans())
    def release_or_ship(self, index, quantity, ship):
        line = StockLine(self.product, self.warehouses[index], quantity)
        service = services.stock_consume if ship else services.stock_release
        level = self._level(index)
        if quantity > level["allocated"]:
            with pytest.raises(OverRelease):
                service(lines=[line], reference="hyp")
        else:
            service(lines=[line], reference="hyp")
            level["allocated"] -= quantity
            if ship:
                level["on_hand"] -= quantity

    @rule(index=warehouse_index, quantity=st.integers(1, 5))
    def restock(self, index, quantity):
        services.stock_restock(
            product=self.product,
            warehouse=self.warehouses[index],
            quantity=quantity,
            reference="rma",
        )
        self._level(index)["on_hand"] += quantity

    @rule(quantity=st.integers(1, 10), forward=st.booleans())
    def transfer(self, quantity, forward):
        source, destination = (0, 1) if forward else (1, 0)
        call = lambda: services.stock_transfer(  # noqa: E731
            product=self.product,
            source=self.warehouses[source],
            destination=self.warehouses[destination],
            quantity=quantity,
        )
        level = self._level(source)
        if level["on_hand"] - quantity < 0:
            with pytest.raises(NegativeStock):
                call()
        elif level["on_hand"] - quantity < level["allocated"]:
            with pytest.raises(StockAllocated):
                call()
        else:
            call()
            level["on_hand"] -= quantity
            self._level(destination)["on_hand"] += quantity

    @rule(index=warehouse_index, safety=st.integers(0, 5))
    def set_safety_stock(self, index, safety):
        services.stock_level_update(
            product=self.product, warehouse=self.warehouses[index], safety_stock=safety
        )
        self._level(index)["safety"] = safety

    @invariant()
    def database_matches_model_and_ledger(self):
        levels = StockLevel.objects.filter(product=self.product)
        for level in levels:
            expected = self.model[level.warehouse_id]
            assert (level.on_hand, level.allocated) == (expected["on_hand"], expected["allocated"])
            assert 0 <= level.allocated <= level.on_hand
            assert level.available >= 0
            ledger = StockMovement.objects.filter(stock_level=level).aggregate(
                on_hand=Sum("on_hand_delta", default=0), allocated=Sum("allocated_delta", default=0)
            )
            assert (ledger["on_hand"], ledger["allocated"]) == (level.on_hand, level.allocated)


@pytest.mark.django_db
def test_random_operation_sequences_keep_stock_invariants():
    run_state_machine_as_test(
        StockMachine,
        settings=settings(max_examples=25, stateful_step_count=30, deadline=None),
    )
