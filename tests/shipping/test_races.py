"""Shipping, capture, edits and cancels on the same SKUs at once, on PostgreSQL: no deadlock,
no error but the domain's own refusals, and stock, ledger and allocations exact afterwards."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from inventory.audit import audit_ledger
from inventory.models import StockLevel
from oms.errors import DomainError
from orders.models import Allocation, OrderStatus
from orders.services import order_cancel, order_line_cancel, order_line_set_quantity
from shipping.models import ShipmentStatus
from shipping.services import (
    shipment_label_make,
    shipment_pack,
    shipment_scan,
    shipment_ship,
    shipments_create,
)
from tests.concurrency import run_concurrently
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import UserFactory
from tests.orders.factories import SalesChannelFactory, capture
from tests.payments.factories import card
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SKUS = ("RA", "RB", "RC")


def ready_to_ship(order, packer):
    (shipment,) = shipments_create(order=order)
    for line in shipment.lines.select_related("order_line"):
        for _ in range(line.quantity):
            shipment_scan(shipment=shipment, code=line.order_line.sku, actor=packer)
    shipment_pack(shipment=shipment, actor=packer)
    shipment_label_make(shipment_id=shipment.pk)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.LABEL_READY
    return shipment


def test_shipping_capture_edits_and_cancels_racing_on_the_same_skus():
    east, west = (
        WarehouseFactory(code="EAST", priority=1),
        WarehouseFactory(code="WEST", priority=2),
    )
    for sku in SKUS:
        product = ProductFactory(sku=sku, price=Decimal("10"))
        give_stock(product, east, 60)
        give_stock(product, west, 60)
    carrier = CarrierFactory(code="sbx")
    method = ShippingMethodFactory(carrier=carrier, code="ground")
    ShippingRateFactory(method=method, up_to_grams=100_000, base=Decimal("5"))
    web = SalesChannelFactory(code="web")
    packer = UserFactory(role="Fulfillment", username="packer")
    support = UserFactory(role="Support", username="agent")

    # Lines in both orders of SKUs, so lock orders differ if anyone locks level by level.
    def basket(i):
        skus = SKUS if i % 2 else SKUS[::-1]
        return [(sku, 1 + (i % 3), "10.00") for sku in skus]

    to_ship = [ready_to_ship(capture(web, basket(i), payment=card()), packer) for i in range(6)]
    to_edit = [capture(web, basket(i)) for i in range(4)]
    to_cancel = [capture(web, basket(i)) for i in range(4)]
    in_fulfillment = [capture(web, basket(i)) for i in range(4)]
    for order in in_fulfillment:
        shipments_create(order=order)

    jobs = []
    jobs += [lambda s=s: shipment_ship(shipment=s, actor=packer) for s in to_ship]
    jobs += [lambda i=i: capture(web, basket(i), payment=card()) for i in range(6)]
    jobs += [
        lambda o=o: order_line_set_quantity(
            order=o, line=o.lines.order_by("id").first(), quantity=5, actor=support
        )
        for o in to_edit
    ]
    jobs += [lambda o=o: order_cancel(order=o, reason="race", actor=support) for o in to_cancel]
    jobs += [
        lambda o=o: order_line_cancel(order=o, line=o.lines.order_by("-id").first(), actor=support)
        for o in in_fulfillment
    ]
    results = run_concurrently(len(jobs), lambda index: jobs[index]())

    errors = [value for outcome, value in results if outcome == "error"]
    assert not [error for error in errors if not isinstance(error, DomainError)], errors
    assert not errors  # every job here is possible: nothing should even be refused

    # Stock and its ledger agree, and allocation rows agree with every level's `allocated`.
    checked, drifts = audit_ledger()
    assert drifts == [] and checked == len(SKUS) * 2
    allocated_by_rows = dict(
        Allocation.objects.values("stock_level")
        .annotate(units=Sum("quantity"))
        .values_list("stock_level", "units")
    )
    for level in StockLevel.objects.all():
        assert level.allocated == allocated_by_rows.get(level.pk, 0), level
    for shipment in to_ship:
        shipment.refresh_from_db()
        assert shipment.status == ShipmentStatus.SHIPPED
        assert shipment.order.status == OrderStatus.SHIPPED
    shipped_units = sum(line.quantity for s in to_ship for line in s.lines.all())
    on_hand = StockLevel.objects.aggregate(total=Sum("on_hand"))["total"]
    assert on_hand == len(SKUS) * 120 - shipped_units
