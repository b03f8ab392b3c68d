"""From allocated units to parcels on their way: create, scan, pack, label, ship, cancel."""

from decimal import Decimal

import pytest
from django.core import mail

from inventory.models import StockLevel, StockMovement
from oms.errors import InvalidTransition
from orders.models import Allocation, HoldReason, Order, OrderStatus
from orders.services import order_cancel, order_hold, order_hold_release, order_line_cancel
from payments.models import PaymentTransaction
from shipping.errors import ScanRefused, ShippingError
from shipping.models import Shipment, ShipmentStatus
from shipping.services import (
    WantedUnits,
    shipment_cancel,
    shipment_notification_send,
    shipment_pack,
    shipment_scan,
    shipment_ship,
    shipments_create,
)
from tests.orders.factories import capture
from tests.payments.factories import card, run_owed
from tests.shipping.factories import ShippingRateFactory

pytestmark = pytest.mark.django_db
S = ShipmentStatus


@pytest.fixture
def order(catalog, methods, web):
    """2 MUG + 1 TEE, paid by card (authorized), all allocated at EAST."""
    order = capture(
        web, [("MUG", 2, "10.00"), ("TEE", 1, "20.00")], payment=card(), shipping_total=5
    )
    run_owed()
    return order


def scan_everything(shipment: Shipment, actor) -> None:
    for line in shipment.lines.select_related("order_line__product"):
        for _ in range(line.quantity):
            shipment_scan(shipment=shipment, code=line.order_line.product.barcode, actor=actor)


def packed_and_labelled(shipment: Shipment, actor) -> Shipment:
    scan_everything(shipment, actor)
    shipment_pack(shipment=shipment, actor=actor)
    from shipping.services import shipment_label_make

    shipment_label_make(shipment_id=shipment.pk)
    return Shipment.objects.get(pk=shipment.pk)


def on_hand(sku: str, warehouse: str = "EAST") -> tuple[int, int]:
    level = StockLevel.objects.get(product__sku=sku, warehouse__code=warehouse)
    return level.on_hand, level.allocated


def test_a_parcel_is_made_of_what_is_allocated_with_the_cheapest_method(order):
    (shipment,) = shipments_create(order=order)
    assert shipment.number == f"SH-{shipment.pk:06d}"
    assert shipment.warehouse.code == "EAST"
    assert [(line.order_line.sku, line.quantity) for line in shipment.lines.order_by("id")] == [
        ("MUG", 2),
        ("TEE", 1),
    ]
    assert (shipment.method.code, shipment.cost, shipment.weight_grams) == ("ground", 5, 1000)
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLING
    with pytest.raises(ShippingError, match="nothing allocated"):
        shipments_create(order=order)


def test_an_order_allocated_in_two_warehouses_gets_two_shipments(catalog, methods, web):
    StockLevel.objects.filter(product__sku="TEE", warehouse__code="EAST").update(safety_stock=20)
    order = capture(web, [("MUG", 1, "10.00"), ("TEE", 2, "20.00")])
    shipments = shipments_create(order=order)
    assert sorted(
        (s.warehouse.code, [line.order_line.sku for line in s.lines.all()]) for s in shipments
    ) == [
        ("EAST", ["MUG"]),
        ("WEST", ["TEE"]),
    ]


def test_scanning_refuses_a_wrong_item_and_an_extra_unit(order, fulfillment_user, catalog):
    (shipment,) = shipments_create(order=order)
    with pytest.raises(ScanRefused, match="not in shipment"):
        shipment_scan(shipment=shipment, code="9999999999999", actor=fulfillment_user)
    first = shipment_scan(shipment=shipment, code="tee", actor=fulfillment_user)  # SKU, any case
    assert (first.line.quantity_packed, first.complete) == (1, False)
    with pytest.raises(ScanRefused, match="packed already"):
        shipment_scan(shipment=shipment, code=catalog["TEE"].barcode, actor=fulfillment_user)
    shipment_scan(shipment=shipment, code=catalog["MUG"].barcode, actor=fulfillment_user)
    last = shipment_scan(shipment=shipment, code=catalog["MUG"].barcode, actor=fulfillment_user)
    assert last.complete
    assert sorted(shipment.lines.values_list("quantity_packed", flat=True)) == [1, 2]


def test_packing_asks_for_the_label_which_a_worker_makes(order, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    with pytest.raises(ShippingError, match="not scanned yet"):
        shipment_pack(shipment=shipment, actor=fulfillment_user)
    shipment = packed_and_labelled(shipment, fulfillment_user)
    assert shipment.status == S.LABEL_READY
    assert shipment.tracking_number.startswith("SBX")
    assert shipment.label_pdf.read().startswith(b"%PDF")
    assert "^BC" in shipment.label_zpl and shipment.tracking_number in shipment.label_zpl
    assert order.events.filter(type="shipment_label_ready").exists()


def test_shipping_consumes_stock_records_the_units_and_captures_once(order, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    shipment = packed_and_labelled(shipment, fulfillment_user)
    shipment_ship(shipment=shipment, actor=fulfillment_user)
    shipment.refresh_from_db()
    assert shipment.status == S.SHIPPED and shipment.shipped_at
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == (OrderStatus.SHIPPED, "shipped")
    assert [line.quantity_shipped for line in order.lines.order_by("id")] == [2, 1]
    assert on_hand("MUG") == (18, 0) and on_hand("TEE") == (19, 0)
    ship_moves = StockMovement.objects.filter(kind="ship", reference=f"shipment:{shipment.number}")
    assert sorted(ship_moves.values_list("on_hand_delta", "allocated_delta")) == [
        (-2, -2),
        (-1, -1),
    ]
    assert not Allocation.objects.filter(order_line__order=order).exists()
    assert shipment.value == order.grand_total == Decimal("45.00")
    run_owed()
    captures = PaymentTransaction.objects.filter(kind="capture")
    assert [(c.amount, c.reference, c.status) for c in captures] == [
        (Decimal("45.00"), f"shipment:{shipment.number}", "succeeded")
    ]
    order.refresh_from_db()
    assert order.payment_status == "paid"
    with pytest.raises(InvalidTransition, match="cannot be shipped"):
        shipment_ship(shipment=shipment, actor=fulfillment_user)
    assert PaymentTransaction.objects.filter(kind="capture").count() == 1
    # The tracking email is owed until sent (the task runs after commit).
    assert Shipment.objects.get(pk=shipment.pk).notify_due
    assert shipment_notification_send(shipment_id=shipment.pk)
    assert shipment.tracking_number in mail.outbox[-1].body
    assert not shipment_notification_send(shipment_id=shipment.pk)  # sent once
    assert not Shipment.objects.get(pk=shipment.pk).notify_due


def test_a_partial_parcel_ships_what_was_picked_and_the_rest_follows(
    order, fulfillment_user, catalog
):
    (first,) = shipments_create(order=order)
    shipment_scan(shipment=first, code=catalog["MUG"].barcode, actor=fulfillment_user)
    shipment_pack(shipment=first, actor=fulfillment_user, partial_ok=True)
    from shipping.services import shipment_label_make

    shipment_label_make(shipment_id=first.pk)
    shipment_ship(shipment=first, actor=fulfillment_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert [line.quantity_open for line in order.lines.order_by("id")] == [1, 1]
    assert on_hand("MUG") == (19, 1)  # the other mug stays allocated
    (rest,) = shipments_create(order=order)
    assert sorted((line.order_line.sku, line.quantity) for line in rest.lines.all()) == [
        ("MUG", 1),
        ("TEE", 1),
    ]
    rest = packed_and_labelled(rest, fulfillment_user)
    shipment_ship(shipment=rest, actor=fulfillment_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    first.refresh_from_db()
    rest.refresh_from_db()
    # The first parcel carries its mug with its share of nothing else, plus shipping; the last
    # one what is left, so the two make the order's total to the cent.
    assert (first.value, rest.value) == (Decimal("15.00"), Decimal("30.00"))
    run_owed()
    amounts = sorted(
        PaymentTransaction.objects.filter(kind="capture").values_list("amount", flat=True)
    )
    assert amounts == [Decimal("15.00"), Decimal("30.00")]


def test_a_parcel_can_be_cancelled_until_it_ships(order, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    shipment_cancel(shipment=shipment, reason="box damaged", actor=fulfillment_user)
    shipment.refresh_from_db()
    assert shipment.status == S.CANCELLED
    assert on_hand("MUG") == (20, 2)  # still allocated to the order
    (again,) = shipments_create(order=order)
    again = packed_and_labelled(again, fulfillment_user)
    shipment_ship(shipment=again, actor=fulfillment_user)
    with pytest.raises(InvalidTransition, match="only a parcel that has not shipped"):
        shipment_cancel(shipment=again, actor=fulfillment_user)


def test_cancelling_the_order_cancels_its_unshipped_parcels(order, support_user):
    (shipment,) = shipments_create(order=order)
    order_cancel(order=order, reason="changed mind", actor=support_user)
    shipment.refresh_from_db()
    assert shipment.status == S.CANCELLED
    assert on_hand("MUG") == (20, 0)


def test_cancelling_a_line_takes_its_units_out_of_unpacked_parcels(order, support_user):
    (shipment,) = shipments_create(order=order)
    order_line_cancel(order=order, line=order.lines.get(sku="TEE"), actor=support_user)
    shipment.refresh_from_db()
    assert shipment.status == S.PENDING
    assert [line.order_line.sku for line in shipment.lines.all()] == ["MUG"]


def test_cancelling_a_line_cancels_a_labelled_parcel_whole(order, support_user, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    shipment = packed_and_labelled(shipment, fulfillment_user)
    order_line_cancel(order=order, line=order.lines.get(sku="TEE"), actor=support_user)
    shipment.refresh_from_db()
    assert shipment.status == S.CANCELLED
    (again,) = shipments_create(order=order)
    assert [(line.order_line.sku, line.quantity) for line in again.lines.all()] == [("MUG", 2)]


def test_a_held_order_in_fulfillment_does_not_ship_and_resumes_on_release(
    order, support_user, fulfillment_user
):
    (shipment,) = shipments_create(order=order)
    hold = order_hold(order=order, reason=HoldReason.CUSTOMER_REQUEST, actor=support_user)
    shipment = packed_and_labelled(shipment, fulfillment_user)
    with pytest.raises(InvalidTransition, match="on hold"):
        shipment_ship(shipment=shipment, actor=fulfillment_user)
    assert Shipment.objects.get(pk=shipment.pk).status == S.LABEL_READY
    order_hold_release(order=order, hold=hold, actor=support_user)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING
    shipment_ship(shipment=shipment, actor=fulfillment_user)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_the_carrier_refusing_a_label_sends_the_parcel_back_to_packed(order, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    scan_everything(shipment, fulfillment_user)
    # Our rates go to 40 kg; the carrier takes 30 kg at most.
    ShippingRateFactory(method=shipment.method, up_to_grams=40_000, base=Decimal("30.00"))
    shipment_pack(shipment=shipment, actor=fulfillment_user, weight_grams=31_000)
    from shipping.services import shipment_label_make

    shipment_label_make(shipment_id=shipment.pk)
    shipment.refresh_from_db()
    assert shipment.status == S.PACKED
    assert "heavy" in shipment.label_error
    assert order.events.filter(type="shipment_label_refused").exists()


def test_only_the_wanted_units_go_into_a_parcel(order):
    (shipment,) = shipments_create(order=order, wanted=[WantedUnits("MUG", 1)])
    assert [(line.order_line.sku, line.quantity) for line in shipment.lines.all()] == [("MUG", 1)]
    with pytest.raises(ShippingError) as refused:
        shipments_create(order=order, wanted=[WantedUnits("MUG", 2)])
    assert refused.value.fields == {
        "lines.0.quantity": ["Only 1 of MUG are allocated and not in a parcel yet."]
    }


def test_an_integration_packs_without_scanning(order, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    shipment_pack(shipment=shipment, actor=fulfillment_user, unscanned=True)
    shipment.refresh_from_db()
    assert shipment.status == S.LABEL_PENDING
    assert all(line.quantity_packed == line.quantity for line in shipment.lines.all())


def test_a_carrier_with_an_unknown_adapter_refuses_the_label_at_once(order, fulfillment_user):
    from shipping.services import shipment_label_make

    (shipment,) = shipments_create(order=order)
    shipment.method.carrier.__class__.objects.filter(pk=shipment.method.carrier_id).update(
        adapter="nonexistent"
    )
    shipment_pack(shipment=shipment, actor=fulfillment_user, unscanned=True)
    shipment_label_make(shipment_id=shipment.pk)
    shipment.refresh_from_db()
    assert shipment.status == S.PACKED and shipment.label_attempts == 1
    assert "nonexistent" in shipment.label_error


def test_a_weight_no_method_can_carry_is_refused_at_packing(order, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    with pytest.raises(ShippingError, match="cannot carry this parcel"):
        shipment_pack(shipment=shipment, actor=fulfillment_user, unscanned=True, weight_grams=9_000)
    assert Shipment.objects.get(pk=shipment.pk).status == S.PENDING
