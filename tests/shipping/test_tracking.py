"""Carrier events: kept as received, applied in order, repeats ignored; the order follows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Order, OrderStatus
from shipping.errors import ShippingError
from shipping.models import CarrierEventReceipt, Shipment, ShipmentStatus, TrackingEvent
from shipping.services import (
    carrier_event_receive,
    sandbox_carrier_tick,
    shipment_label_make,
    shipment_pack,
    shipment_ship,
    shipments_create,
)
from tests.orders.factories import capture

pytestmark = pytest.mark.django_db
S = ShipmentStatus
R = CarrierEventReceipt.Outcome


@pytest.fixture
def shipped(catalog, methods, web, fulfillment_user):
    order = capture(web, [("MUG", 1, "10.00")])
    (shipment,) = shipments_create(order=order)
    shipment_pack(shipment=shipment, actor=fulfillment_user, unscanned=True)
    shipment_label_make(shipment_id=shipment.pk)
    return shipment_ship(shipment=Shipment.objects.get(pk=shipment.pk), actor=fulfillment_user)


def event(shipment, status, minutes=0, description="") -> dict:
    return {
        "tracking_number": shipment.tracking_number,
        "status": status,
        "occurred_at": (timezone.now() + timedelta(minutes=minutes)).isoformat(),
        "location": "Newark, NJ",
        "description": description,
    }


def receive(shipment, payload):
    return carrier_event_receive(carrier=shipment.method.carrier, payload=payload)


def test_in_transit_then_delivered_delivers_the_order(shipped):
    assert receive(shipped, event(shipped, "in_transit", 1)).outcome == R.RECORDED
    assert Shipment.objects.get(pk=shipped.pk).status == S.IN_TRANSIT
    assert receive(shipped, event(shipped, "delivered", 5)).outcome == R.RECORDED
    shipment = Shipment.objects.get(pk=shipped.pk)
    assert shipment.status == S.DELIVERED and shipment.delivered_at
    order = Order.objects.get(pk=shipped.order_id)
    assert (order.status, order.fulfillment_status) == (OrderStatus.DELIVERED, "delivered")
    assert list(shipment.events.values_list("status", flat=True)) == ["in_transit", "delivered"]


def test_a_repeated_event_is_recorded_once(shipped):
    payload = event(shipped, "in_transit", 1)
    assert receive(shipped, payload).outcome == R.RECORDED
    assert receive(shipped, payload).outcome == R.DUPLICATE
    assert TrackingEvent.objects.count() == 1
    assert CarrierEventReceipt.objects.count() == 2


def test_a_late_in_transit_never_takes_back_a_delivery(shipped):
    receive(shipped, event(shipped, "delivered", 5))
    receive(shipped, event(shipped, "in_transit", 1))
    assert Shipment.objects.get(pk=shipped.pk).status == S.DELIVERED
    assert TrackingEvent.objects.count() == 2  # the history keeps both


def test_an_exception_puts_the_order_in_needs_attention_until_resolved(shipped):
    receive(shipped, event(shipped, "exception", 1, "Address not found"))
    order = Order.objects.get(pk=shipped.order_id)
    assert order.shipment_exception
    assert order in Order.objects.needs_attention()
    assert order.events.filter(type="shipment_exception", message__contains="Address not found")
    receive(shipped, event(shipped, "in_transit", 2, "Address corrected"))
    order.refresh_from_db()
    assert not order.shipment_exception
    assert order not in Order.objects.needs_attention()


def test_an_event_for_an_unknown_parcel_is_kept_unmatched(shipped):
    payload = {**event(shipped, "in_transit"), "tracking_number": "SBX00000000000"}
    receipt = receive(shipped, payload)
    assert receipt.outcome == R.UNMATCHED and "SBX00000000000" in receipt.error
    assert CarrierEventReceipt.objects.get().payload == payload


@pytest.mark.parametrize(
    "payload",
    [
        [1],
        {"tracking_number": "", "status": "in_transit", "occurred_at": "2026-01-01T00:00:00Z"},
        {"tracking_number": "X", "status": "teleported", "occurred_at": "2026-01-01T00:00:00Z"},
        {"tracking_number": "X", "status": "in_transit", "occurred_at": "yesterday"},
        {"tracking_number": "X", "status": "in_transit", "occurred_at": "0000-01-01T00:00:00"},
        {"tracking_number": "X", "status": "delivered", "occurred_at": "9999-12-31T23:59:59-05:00"},
        {"tracking_number": "X", "status": "delivered", "occurred_at": "0001-01-01T00:00:00+05:00"},
        {"tracking_number": "X", "status": "delivered", "occurred_at": "1999-12-31T23:00:00Z"},
        {
            "tracking_number": "X",
            "status": "in_transit",
            "occurred_at": "2026-01-01T00:00:00Z",
            "description": "nul\x00byte",
        },
    ],
)
def test_an_invalid_event_is_kept_with_the_reason(shipped, payload):
    with pytest.raises(ShippingError):
        receive(shipped, payload)
    receipt = CarrierEventReceipt.objects.get()
    assert receipt.outcome == R.INVALID and receipt.error


def test_the_sandbox_carrier_collects_then_delivers_in_demo_mode(shipped, settings):
    settings.SHIPPING_SANDBOX_PLAYS_CARRIER = True
    later = timezone.now() + timedelta(minutes=3)
    assert sandbox_carrier_tick(now=later) == 1
    assert Shipment.objects.get(pk=shipped.pk).status == S.IN_TRANSIT
    assert sandbox_carrier_tick(now=timezone.now() + timedelta(minutes=11)) == 1
    assert Shipment.objects.get(pk=shipped.pk).status == S.DELIVERED
    assert Order.objects.get(pk=shipped.order_id).status == OrderStatus.DELIVERED
    settings.SHIPPING_SANDBOX_PLAYS_CARRIER = False
    assert sandbox_carrier_tick(now=timezone.now() + timedelta(hours=1)) == 0
