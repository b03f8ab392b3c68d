from decimal import Decimal

import pytest

from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory


@pytest.fixture
def warehouses(db):
    """EAST ships first; WEST is the second choice. Both in the US."""
    return {
        "EAST": WarehouseFactory(code="EAST", priority=1, country="US", city="Newark"),
        "WEST": WarehouseFactory(code="WEST", priority=2, country="US", city="Reno"),
    }


@pytest.fixture
def catalog(warehouses):
    """MUG (400 g, barcode 4006381000001) and TEE (200 g): 20 of each at EAST, 20 TEE at WEST."""
    mug = ProductFactory(sku="MUG", barcode="4006381000001", weight_grams=400, price=Decimal("10"))
    tee = ProductFactory(sku="TEE", barcode="4006381000002", weight_grams=200, price=Decimal("20"))
    give_stock(mug, warehouses["EAST"], 20)
    give_stock(tee, warehouses["EAST"], 20)
    give_stock(tee, warehouses["WEST"], 20)
    return {"MUG": mug, "TEE": tee}


@pytest.fixture
def methods(db):
    """Ground (5.00 up to 5 kg, 5 days) and Express (15.00, 1 day) with the sandbox carrier."""
    carrier = CarrierFactory(code="sbx", name="Sandbox Parcel")
    ground = ShippingMethodFactory(
        carrier=carrier, code="ground", name="Ground", transit_days_domestic=5
    )
    express = ShippingMethodFactory(
        carrier=carrier, code="express", name="Express", transit_days_domestic=1
    )
    ShippingRateFactory(method=ground, up_to_grams=5000, base=Decimal("5.00"))
    ShippingRateFactory(method=express, up_to_grams=5000, base=Decimal("15.00"))
    return {"ground": ground, "express": express}


@pytest.fixture
def web(db):
    return SalesChannelFactory(code="web")
