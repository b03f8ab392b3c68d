"""`stock_reserve_guarded`: order capture's one statement that locks levels and reserves units
only where a plan made on an earlier read still finds them."""

import pytest
from django.db import transaction

from inventory.errors import StockMoved
from inventory.models import StockLevel, StockMovement
from inventory.services import StockLine, stock_adjust, stock_reserve_guarded
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST")


@pytest.fixture
def levels(east):
    mug, tee = ProductFactory(sku="MUG"), ProductFactory(sku="TEE")
    give_stock(mug, east, 5)
    give_stock(tee, east, 3)
    read = StockLevel.objects.select_related("product", "warehouse")
    return {(level.product_id, level.warehouse_id): level for level in read}


def _lines(levels, *quantities):
    return [
        StockLine(level.product, level.warehouse, quantity)
        for level, quantity in zip(levels.values(), quantities, strict=True)
    ]


def test_it_reserves_and_writes_the_ledger_from_the_figures_it_locked(levels):
    reserved = stock_reserve_guarded(levels=levels, lines=_lines(levels, 2, 3), reference="o:1")
    assert sorted((level.product.sku, level.allocated) for level in reserved) == [
        ("MUG", 2),
        ("TEE", 3),
    ]
    stored = dict(StockLevel.objects.values_list("product__sku", "allocated"))
    assert stored == {"MUG": 2, "TEE": 3}
    rows = StockMovement.objects.filter(kind="allocate").order_by("id")
    assert [(row.product.sku, row.allocated_delta, row.allocated_after) for row in rows] == [
        ("MUG", 2, 2),
        ("TEE", 3, 3),
    ]


def test_a_level_that_lost_the_units_since_the_read_raises_and_the_caller_rolls_back(levels, east):
    mug = next(iter(levels.values())).product
    stock_adjust(product=mug, warehouse=east, delta=-4, note="broken")  # 1 left, read said 5
    with pytest.raises(StockMoved), transaction.atomic():
        stock_reserve_guarded(levels=levels, lines=_lines(levels, 2, 3), reference="o:1")
    stored = dict(StockLevel.objects.values_list("product__sku", "allocated"))
    assert stored == {"MUG": 0, "TEE": 0}
    assert not StockMovement.objects.filter(kind="allocate").exists()


def test_units_freed_since_the_read_are_found_by_the_guard(levels, east):
    """The guard reads the locked row, not the caller's copy: stock that came in counts."""
    tee = list(levels.values())[1].product
    stock_adjust(product=tee, warehouse=east, delta=5, note="found")  # 8 now, read said 3
    stock_reserve_guarded(levels=levels, lines=_lines(levels, 1, 7), reference="o:1")
    assert StockLevel.objects.get(product=tee).allocated == 7
