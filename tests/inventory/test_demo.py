import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from inventory.audit import audit_ledger
from inventory.demo import ean13
from inventory.models import Product, StockMovement, Warehouse
from inventory.selectors import low_stock, product_list

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_seed_demo_builds_a_realistic_catalog_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "inventory: warehouses 3, new products 200" in out.getvalue()
    movements = StockMovement.objects.count()

    call_command("seed_demo", stdout=io.StringIO())

    assert Product.objects.count() == 200
    assert StockMovement.objects.count() == movements
    assert sorted(Warehouse.objects.values_list("country", flat=True)) == ["DE", "US", "US"]
    assert Product.objects.exclude(barcode="").count() == 200
    assert product_list(stock="out").exists()
    assert low_stock().exists()
    assert product_list(stock="in_stock").count() > 100
    assert audit_ledger()[1] == []


def test_demo_barcodes_are_valid_ean13():
    code = ean13(1)
    assert len(code) == 13
    digits = [int(d) for d in code]
    assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
