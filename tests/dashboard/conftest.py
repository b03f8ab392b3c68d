"""The dashboard's page tests share a small shop: a warehouse with mugs and tees, a USD web
store and a EUR marketplace, and a manager signed in."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders.services import order_cancel
from payments.models import PaymentTransaction
from payments.services import payment_record, payment_refund
from tests.dashboard.factories import place
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory


@pytest.fixture
def shop(db):
    east = WarehouseFactory(
        code="EAST",
        name="East coast",
        priority=1,
        country="US",
        city="Newark",
        postal_code="07114",
        address_line1="1 Port Way",
    )
    for sku, price in (("MUG", "10.00"), ("TEE", "20.00")):
        give_stock(ProductFactory(sku=sku, price=Decimal(price), weight_grams=300), east, 500)
    ground = ShippingMethodFactory(
        carrier=CarrierFactory(code="sbx", name="Sandbox Parcel"), code="ground"
    )
    ShippingRateFactory(method=ground, up_to_grams=20_000, base=Decimal("5.00"))
    return {
        "east": east,
        "web": SalesChannelFactory(code="web", name="Web store", currency="USD"),
        "eu": SalesChannelFactory(code="eu", name="EU marketplace", currency="EUR"),
    }


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


FIRST_DAY, LAST_DAY = "2026-03-02", "2026-03-04"
PERIOD = {"from": FIRST_DAY, "to": LAST_DAY}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def history(shop, support_user):
    """Three days of March in UTC: two USD web orders (one shipped late), a EUR order, a
    cancelled one, one either side of the period, and a 5.00 USD refund in it."""
    web, eu = shop["web"], shop["eu"]
    a = place(
        web,
        [("MUG", 2, "10.00")],
        at(2, 10),
        shipping_total=Decimal("5"),
        shipped=at(2, 20),
        ship_by=at(3, 10),
    )
    b = place(web, [("TEE", 1, "30.00")], at(3, 12), shipped=at(4, 12), ship_by=at(4, 10))
    c = place(eu, [("TEE", 2, "20.00")], at(4, 12), shipped=at(4, 14), ship_by=at(5, 12))
    cancelled = place(web, [("MUG", 5, "10.00")], at(3, 9))
    order_cancel(order=cancelled, reason="changed mind", actor=support_user)
    before = place(web, [("MUG", 1, "99.00")], at(1, 23, 30))
    after = place(web, [("MUG", 1, "99.00")], at(5, 0, 30))
    payment_record(order=a, amount="25.00", method="cash", actor=support_user)
    payment_refund(order=a, amount="5.00", reason="scratched", actor=support_user)
    PaymentTransaction.objects.filter(kind="refund").update(completed_at=at(3, 12))
    return {
        "a": a,
        "b": b,
        "c": c,
        "cancelled": cancelled,
        "before": before,
        "after": after,
    }
