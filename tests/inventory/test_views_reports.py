"""Low stock (page and CSV) and the warehouses list and detail."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", name="East coast", priority=1)


@pytest.fixture
def west():
    return WarehouseFactory(code="WEST", name="West coast", priority=2)


@pytest.fixture
def staff(client, support_user):
    client.force_login(support_user)
    return support_user


@pytest.fixture
def shelf(east, west):
    """Four products around their reorder points."""
    empty = ProductFactory(sku="A-EMPTY", name="Empty", reorder_point=5, reorder_quantity=0)
    low = ProductFactory(sku="B-LOW", name="Low", reorder_point=10, reorder_quantity=50)
    give_stock(low, east, 6, allocated=2)
    give_stock(low, west, 3)
    fine = ProductFactory(sku="C-FINE", name="Fine", reorder_point=5)
    give_stock(fine, east, 20)
    retired = ProductFactory(sku="D-RETIRED", reorder_point=5, is_active=False)
    return empty, low, fine, retired


def test_low_stock_lists_products_at_or_below_reorder_point_emptiest_first(client, staff, shelf):
    response = client.get("/inventory/low-stock/")
    assert response.status_code == 200
    rows = [
        (row.product.sku, row.on_hand, row.allocated, row.available, row.suggested_quantity)
        for row in response.context["rows"]
    ]
    # Empty has no reorder quantity: enough to get back to twice the reorder point.
    assert rows == [("A-EMPTY", 0, 0, 0, 10), ("B-LOW", 9, 2, 7, 50)]
    html = response.content.decode()
    assert "C-FINE" not in html
    assert "D-RETIRED" not in html


def test_safety_stock_counts_against_low_stock(client, staff, east):
    product = ProductFactory(sku="SAFE", reorder_point=5)
    give_stock(product, east, 8)
    assert client.get("/inventory/low-stock/").context["rows"] == []
    services.stock_level_update(product=product, warehouse=east, safety_stock=4)
    [row] = client.get("/inventory/low-stock/").context["rows"]
    assert (row.product.sku, row.available) == ("SAFE", 4)


def test_low_stock_pages_by_key(client, staff, east):
    for number in range(130):
        ProductFactory(sku=f"P-{number:03d}", reorder_point=1)
    first = client.get("/inventory/low-stock/")
    second = client.get("/inventory/low-stock/" + first.context["next_url"])
    skus = [row.product.sku for row in first.context["rows"] + second.context["rows"]]
    assert skus == [f"P-{number:03d}" for number in range(130)]
    assert second.context["next_url"] == ""


def test_low_stock_csv_has_header_and_rows(client, staff, shelf):
    response = client.get("/inventory/low-stock/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="low-stock-')
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [
        [
            "sku",
            "name",
            "on_hand",
            "allocated",
            "available",
            "reorder_point",
            "backordered",
            "suggested_reorder_quantity",
        ],
        ["A-EMPTY", "Empty", "0", "0", "0", "5", "0", "10"],
        ["B-LOW", "Low", "9", "2", "7", "10", "0", "50"],
    ]


def test_warehouse_list_shows_totals(client, staff, shelf):
    response = client.get("/inventory/warehouses/")
    warehouses = {w.code: w for w in response.context["warehouses"]}
    assert (warehouses["EAST"].product_count, warehouses["EAST"].units_on_hand) == (2, 26)
    assert (warehouses["WEST"].units_on_hand, warehouses["WEST"].units_allocated) == (3, 0)
    assert "East coast" in response.content.decode()


def test_warehouse_detail_lists_its_levels_by_sku(client, staff, shelf):
    response = client.get("/inventory/warehouses/EAST/")
    assert response.status_code == 200
    levels = [
        (level.sku, level.on_hand, level.allocated, level.available_to_promise)
        for level in response.context["page"].items
    ]
    assert levels == [("B-LOW", 6, 2, 4), ("C-FINE", 20, 0, 20)]


def test_warehouse_detail_pages_by_sku(client, staff, east):
    for number in range(60):
        services.stock_receive(
            product=ProductFactory(sku=f"P-{number:03d}"), warehouse=east, quantity=1
        )
    first = client.get("/inventory/warehouses/EAST/", {"per_page": 25})
    second = client.get("/inventory/warehouses/EAST/" + first.context["next_url"])
    third = client.get("/inventory/warehouses/EAST/" + second.context["next_url"])
    pages = [[level.sku for level in page.context["page"].items] for page in (first, second, third)]
    assert pages == [
        [f"P-{n:03d}" for n in range(25)],
        [f"P-{n:03d}" for n in range(25, 50)],
        [f"P-{n:03d}" for n in range(50, 60)],
    ]
    with CaptureQueriesContext(connection) as few:
        client.get("/inventory/warehouses/EAST/", {"per_page": 25})
    with CaptureQueriesContext(connection) as many:
        client.get("/inventory/warehouses/EAST/", {"per_page": 100})
    assert len(few) == len(many)


def test_unknown_warehouse_is_404(client, staff):
    assert client.get("/inventory/warehouses/NOPE/").status_code == 404
