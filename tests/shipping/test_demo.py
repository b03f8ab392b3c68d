"""The shipping demo: parcels in every state, made through the services, seeded once."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings

from inventory.audit import audit_ledger
from inventory.models import StockLevel
from orders.models import Allocation, Order, OrderStatus
from payments.models import PaymentTransaction
from shipping.models import Carrier, PickList, Shipment, ShipmentStatus, ShippingMethod

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", "--skip", "history", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "shipments": list(Shipment.objects.order_by("id").values_list("id", "status")),
        "orders": dict(Order.objects.values_list("number", "status")),
        "captures": PaymentTransaction.objects.filter(kind="capture").count(),
    }


def test_seed_demo_shows_every_parcel_state_with_stock_and_money_consistent():
    output = seed()
    assert "shipping: new carriers and methods 5" in output
    assert Carrier.objects.count() == 2 and ShippingMethod.objects.count() == 3
    statuses = set(Shipment.objects.values_list("status", flat=True))
    assert statuses == set(ShipmentStatus.values)
    label_pending = Shipment.objects.get(status=ShipmentStatus.LABEL_PENDING)
    assert "down" in label_pending.label_error
    assert PickList.objects.count() == 1
    assert Shipment.objects.filter(pick_list__isnull=False).count() == 5
    exception = Shipment.objects.filter(status=ShipmentStatus.EXCEPTION).first()
    assert exception.order.shipment_exception
    delivered = Shipment.objects.filter(status=ShipmentStatus.DELIVERED).first()
    assert delivered.order.status in (OrderStatus.DELIVERED, OrderStatus.PARTIALLY_SHIPPED)
    assert Order.objects.filter(status=OrderStatus.DELIVERED).exists()
    for shipment in Shipment.objects.exclude(status=ShipmentStatus.CANCELLED).exclude(
        status=ShipmentStatus.PENDING
    ):
        assert shipment.weight_grams > 0 and shipment.method is not None
    # Stock and ledger agree, and allocation rows agree with every level's `allocated`.
    assert audit_ledger()[1] == []
    rows = dict(
        Allocation.objects.values("stock_level")
        .annotate(units=Sum("quantity"))
        .values_list("stock_level", "units")
    )
    assert all(level.allocated == rows.get(level.pk, 0) for level in StockLevel.objects.all())
    # Every shipped card order captured what shipped, once per parcel.
    shipped = Shipment.objects.filter(
        status__in=("shipped", "in_transit", "delivered", "exception"),
        order__channel__capture_policy="on_ship",
        order__payments__gateway="sandbox",
    ).distinct()
    for shipment in shipped:
        captures = PaymentTransaction.objects.filter(
            kind="capture", reference=f"shipment:{shipment.number}", status="succeeded"
        )
        assert captures.aggregate(total=Sum("amount"))["total"] == shipment.value, shipment

    before = snapshot()
    again = seed()
    assert "new parcels 0" in again
    assert snapshot() == before
