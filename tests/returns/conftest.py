from decimal import Decimal

import pytest

from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory
from tests.returns.factories import shipped_order
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory


@pytest.fixture
def setup(db):
    east = WarehouseFactory(
        code="EAST",
        priority=1,
        country="US",
        city="Newark",
        postal_code="07114",
        address_line1="1 Port Way",
    )
    for sku, price in (("MUG", "10.00"), ("TEE", "20.00"), ("CAP", "15.00")):
        give_stock(ProductFactory(sku=sku, price=Decimal(price), weight_grams=300), east, 50)
    carrier = CarrierFactory(code="sbx", name="Sandbox Parcel")
    ground = ShippingMethodFactory(carrier=carrier, code="ground", name="Ground")
    ShippingRateFactory(method=ground, up_to_grams=20_000, base=Decimal("5.00"))
    return {"east": east, "web": SalesChannelFactory(code="web")}


@pytest.fixture
def order(setup, fulfillment_user):
    """Shipped and paid: 2 MUG at 10.00 + 1 TEE at 20.00, tax 4.00, discount 8.00, shipping
    5.00 → 41.00 captured."""
    return shipped_order(
        setup["web"],
        [("MUG", 2, "10.00"), ("TEE", 1, "20.00")],
        packer=fulfillment_user,
        tax_total=Decimal("4.00"),
        discount_total=Decimal("8.00"),
        shipping_total=Decimal("5.00"),
    )
