import pytest
from django.db.models import Sum

from inventory import services
from inventory.audit import audit_ledger
from inventory.errors import (
    InsufficientStock,
    InvalidQuantity,
    NegativeStock,
    OverRelease,
    StockAllocated,
)
from inventory.models import MovementKind, StockLevel, StockMovement
from inventory.services import StockLine
from tests.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(sku="TEE-BLK-M")


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", country="US", priority=1)


@pytest.fixture
def west():
    return WarehouseFactory(code="WEST", country="US", priority=2)


def level_of(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def assert_ledger_matches_levels():
    checked, drifts = audit_ledger()
    assert checked > 0
    assert drifts == []


def test_receive_adds_on_hand_and_writes_a_receipt(product, east, fulfillment_user):
    level = services.stock_receive(
        product=product, warehouse=east, quantity=12, actor=fulfillment_user, reference="PO-1"
    )
    assert (level.on_hand, level.allocated, level.available) == (12, 0, 12)
    movement = StockMovement.objects.get()
    assert movement.kind == MovementKind.RECEIPT
    assert (movement.on_hand_delta, movement.on_hand_after) == (12, 12)
    assert movement.actor == fulfillment_user
    assert movement.reference == "PO-1"


def test_receive_lines_is_all_or_nothing(product, east):
    other = ProductFactory(sku="MUG")
    with pytest.raises(InvalidQuantity):
        services.stock_receive_lines(warehouse=east, lines=[(product, 3), (other, 0)])
    assert StockMovement.objects.count() == 0
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()


def test_reserve_release_consume_keep_levels_and_ledger_in_step(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=10)
    line = StockLine(product, east, 4)
    services.stock_reserve(lines=[line], reference="order:SO-1")
    assert (level_of(product, east).on_hand, level_of(product, east).allocated) == (10, 4)
    services.stock_release(lines=[StockLine(product, east, 1)], reference="order:SO-1")
    services.stock_consume(lines=[StockLine(product, east, 3)], reference="order:SO-1")
    level = level_of(product, east)
    assert (level.on_hand, level.allocated, level.available) == (7, 0, 7)
    kinds = list(StockMovement.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["receipt", "allocate", "release", "ship"]
    assert_ledger_matches_levels()


def test_reserve_beyond_available_raises_and_changes_nothing(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=3)
    with pytest.raises(InsufficientStock) as error:
        services.stock_reserve(lines=[StockLine(product, east, 4)], reference="order:SO-2")
    assert error.value.shortages == [
        {"sku": "TEE-BLK-M", "warehouse": "EAST", "requested": 4, "available": 3}
    ]
    assert level_of(product, east).allocated == 0
    assert StockMovement.objects.filter(kind="allocate").count() == 0


def test_safety_stock_is_not_promised(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=10)
    services.stock_level_update(product=product, warehouse=east, safety_stock=8)
    assert level_of(product, east).available == 2
    with pytest.raises(InsufficientStock):
        services.stock_reserve(lines=[StockLine(product, east, 3)], reference="order:SO-3")


def test_reserve_several_lines_is_all_or_nothing(product, east, west):
    services.stock_receive(product=product, warehouse=east, quantity=5)
    services.stock_receive(product=product, warehouse=west, quantity=1)
    with pytest.raises(InsufficientStock):
        services.stock_reserve(
            lines=[StockLine(product, east, 5), StockLine(product, west, 2)], reference="o"
        )
    assert StockLevel.objects.aggregate(total=Sum("allocated"))["total"] == 0


def test_release_or_ship_more_than_allocated_is_refused(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=5)
    services.stock_reserve(lines=[StockLine(product, east, 2)], reference="o")
    with pytest.raises(OverRelease):
        services.stock_release(lines=[StockLine(product, east, 3)], reference="o")
    with pytest.raises(OverRelease):
        services.stock_consume(lines=[StockLine(product, east, 3)], reference="o")
    assert level_of(product, east).allocated == 2


def test_adjust_below_zero_raises_negative_stock(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=2)
    with pytest.raises(NegativeStock):
        services.stock_adjust(product=product, warehouse=east, delta=-3)
    assert level_of(product, east).on_hand == 2


def test_removing_allocated_units_is_refused(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=5)
    services.stock_reserve(lines=[StockLine(product, east, 4)], reference="o")
    with pytest.raises(StockAllocated):
        services.stock_write_off(product=product, warehouse=east, quantity=2)
    with pytest.raises(StockAllocated):
        services.stock_count(product=product, warehouse=east, counted=3)
    assert level_of(product, east).on_hand == 5


def test_damage_always_removes_units(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=5)
    services.stock_adjust(product=product, warehouse=east, delta=2, kind=MovementKind.DAMAGE)
    assert level_of(product, east).on_hand == 3
    assert StockMovement.objects.get(kind="damage").on_hand_delta == -2


def test_count_sets_on_hand_and_records_the_variance(product, east):
    services.stock_receive(product=product, warehouse=east, quantity=10)
    services.stock_count(product=product, warehouse=east, counted=7, note="cycle count")
    count = StockMovement.objects.get(kind="count")
    assert (count.on_hand_delta, count.on_hand_after, count.note) == (-3, 7, "cycle count")
    services.stock_count(product=product, warehouse=east, counted=7)
    assert StockMovement.objects.filter(kind="count").order_by("id").last().on_hand_delta == 0
    assert_ledger_matches_levels()


def test_transfer_moves_unallocated_units_with_two_ledger_rows(product, east, west):
    services.stock_receive(product=product, warehouse=east, quantity=6)
    services.stock_reserve(lines=[StockLine(product, east, 2)], reference="o")
    source, destination = services.stock_transfer(
        product=product, source=east, destination=west, quantity=4, reference="TR-1"
    )
    assert (source.on_hand, destination.on_hand) == (2, 4)
    rows = StockMovement.objects.filter(reference="TR-1").order_by("kind")
    assert [(m.kind, m.on_hand_delta) for m in rows] == [("transfer_in", 4), ("transfer_out", -4)]
    with pytest.raises(StockAllocated):
        services.stock_transfer(product=product, source=east, destination=west, quantity=1)
    with pytest.raises(InvalidQuantity):
        services.stock_transfer(product=product, source=east, destination=east, quantity=1)


def test_restock_puts_returned_units_back(product, east):
    services.stock_restock(product=product, warehouse=east, quantity=2, reference="rma:RMA-1")
    assert level_of(product, east).on_hand == 2
    assert StockMovement.objects.get().kind == "restock"


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "3", True])
def test_quantities_must_be_positive_whole_numbers(product, east, quantity):
    with pytest.raises(InvalidQuantity):
        services.stock_receive(product=product, warehouse=east, quantity=quantity)
    assert StockMovement.objects.count() == 0


def test_stock_arrival_signal_names_products_whose_availability_rose(product, east):
    from inventory.signals import stock_available_increased

    received = []

    def listener(sender, product_ids, **kwargs):
        received.append(product_ids)

    stock_available_increased.connect(listener)
    try:
        services.stock_receive(product=product, warehouse=east, quantity=1)
        services.stock_reserve(lines=[StockLine(product, east, 1)], reference="o")
    finally:
        stock_available_increased.disconnect(listener)
    assert received == [{product.pk}]


def test_safety_stock_change_is_recorded_with_its_actor(product, east, manager_user):
    services.stock_receive(product=product, warehouse=east, quantity=10)
    services.stock_level_update(
        product=product, warehouse=east, safety_stock=4, bin_location="B-02", actor=manager_user
    )
    row = StockMovement.objects.get(kind="settings")
    assert (row.on_hand_delta, row.allocated_delta, row.actor) == (0, 0, manager_user)
    assert row.note == "safety stock 0 → 4; bin “” → “B-02”"
    services.stock_level_update(product=product, warehouse=east, safety_stock=4)
    assert StockMovement.objects.filter(kind="settings").count() == 1
    assert_ledger_matches_levels()
