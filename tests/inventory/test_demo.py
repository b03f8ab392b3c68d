import pytest

from inventory.audit import audit_ledger
from inventory.demo import ean13, seed_inventory
from inventory.models import Product, StockLevel, StockMovement, Warehouse
from inventory.selectors import low_stock, product_list

pytestmark = pytest.mark.django_db


def test_demo_inventory_is_a_realistic_catalog_seeded_once():
    assert seed_inventory() == {"warehouses": 3, "new_products": 200}
    movements = StockMovement.objects.count()

    assert seed_inventory() == {"warehouses": 3, "new_products": 0}

    assert Product.objects.count() == 200
    assert StockMovement.objects.count() == movements
    assert sorted(Warehouse.objects.values_list("country", flat=True)) == ["DE", "US", "US"]
    assert Product.objects.exclude(barcode="").count() == 200
    assert not StockLevel.objects.filter(bin_location="").exists()
    assert product_list(stock="out").exists()
    assert low_stock().exists()
    assert product_list(stock="in_stock").count() > 100
    assert audit_ledger()[1] == []


def test_demo_barcodes_are_valid_ean13():
    code = ean13(1)
    assert len(code) == 13
    digits = [int(d) for d in code]
    assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
