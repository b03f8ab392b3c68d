"""Parcel lines keep their SKU and their parcel's ship time (the dashboard's units shipped per
SKU read them), written by the services that make and ship the parcel."""

import pytest

from shipping.models import ShipmentLine
from shipping.services import shipment_cancel, shipment_label_make, shipment_ship, shipments_create
from tests.orders.factories import capture
from tests.payments.factories import card, run_owed

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcels(catalog, methods, web, fulfillment_user):
    order = capture(web, [("MUG", 2, "10.00"), ("TEE", 1, "20.00")], payment=card())
    run_owed()
    return shipments_create(order=order, pack_unscanned=True, actor=fulfillment_user)


def test_a_parcel_line_names_its_sku_and_is_not_shipped_until_the_parcel_is(parcels):
    lines = ShipmentLine.objects.filter(shipment__in=parcels)
    assert sorted(lines.values_list("sku", "quantity", "shipped_at")) == [
        ("MUG", 2, None),
        ("TEE", 1, None),
    ]


def test_shipping_a_parcel_stamps_its_lines_with_its_ship_time(parcels, fulfillment_user):
    (parcel,) = parcels
    shipment_label_make(shipment_id=parcel.pk)
    parcel.refresh_from_db()
    shipment_ship(shipment=parcel, actor=fulfillment_user)
    parcel.refresh_from_db()
    assert parcel.shipped_at is not None
    assert set(parcel.lines.values_list("shipped_at", flat=True)) == {parcel.shipped_at}


def test_a_cancelled_parcel_leaves_its_lines_unshipped(parcels, fulfillment_user):
    (parcel,) = parcels
    shipment_cancel(shipment=parcel, actor=fulfillment_user)
    assert not ShipmentLine.objects.filter(shipped_at__isnull=False).exists()
