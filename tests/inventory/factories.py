"""Inventory test data. Stock is only ever given through the services, so the ledger matches."""

from decimal import Decimal

import factory

from inventory import services
from inventory.models import Product, StockLevel, Warehouse


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    # A distinct 13-digit code per product, like the EAN printed on the box.
    barcode = factory.Sequence(lambda n: f"{4006381000000 + n}")
    weight_grams = 250
    price = Decimal("19.90")
    cost = Decimal("8.00")
    is_active = True


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.LazyAttribute(lambda warehouse: f"{warehouse.code} warehouse")
    country = "US"
    priority = factory.Sequence(lambda n: 10 + n)
    is_active = True


def give_stock(
    product: Product,
    warehouse: Warehouse,
    on_hand: int,
    *,
    allocated: int = 0,
    reference: str = "PO-TEST",
    actor=None,
) -> StockLevel:
    """Receive `on_hand` units and reserve `allocated` of them, as the services would."""
    level = services.stock_receive(
        product=product, warehouse=warehouse, quantity=on_hand, actor=actor, reference=reference
    )
    if allocated:
        services.stock_reserve(
            lines=[services.StockLine(product=product, warehouse=warehouse, quantity=allocated)],
            reference="order:SO-TEST",
            actor=actor,
        )
        level.refresh_from_db()
    return level
