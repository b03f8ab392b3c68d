import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from inventory import services
from inventory.models import StockLevel
from tests.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def level():
    product, warehouse = ProductFactory(sku="AUD-1"), WarehouseFactory(code="MAIN")
    services.stock_receive(product=product, warehouse=warehouse, quantity=5)
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_database_rejects_allocated_above_on_hand_written_directly(level):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(allocated=6)
    level.refresh_from_db()
    assert level.allocated == 0


@pytest.mark.parametrize(
    "column, value", [("on_hand", -1), ("allocated", -1), ("safety_stock", -1)]
)
def test_database_rejects_negative_quantities(level, column, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(**{column: value})


def test_database_rejects_a_second_level_for_the_same_product_and_warehouse(level):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(product=level.product, warehouse=level.warehouse)


def test_inventory_audit_exits_zero_on_a_clean_ledger(level):
    out = io.StringIO()
    call_command("inventory_audit", stdout=out)
    assert "OK: 1 stock levels match the ledger." in out.getvalue()


def test_inventory_audit_exits_one_after_raw_sql_corruption(level):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockLevel._meta.db_table} SET on_hand = on_hand + 3 WHERE id = %s",
            [level.pk],
        )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("inventory_audit", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert "DRIFT AUD-1 @ MAIN: on_hand 8 vs ledger 5, allocated 0 vs ledger 0" in out.getvalue()
    assert "1 of 1 stock levels drifted" in err.getvalue()
