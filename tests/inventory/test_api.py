import pytest
from rest_framework.test import APIClient

from inventory import services
from inventory.models import Product, StockLevel, StockMovement, Warehouse
from inventory.services import StockLine
from oms.services import api_client_create
from tests.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    _, key = api_client_create(name="test", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def stocked():
    product = ProductFactory(sku="API-1", name="Blue mug", barcode="2000000000015")
    east = WarehouseFactory(code="EAST", country="US", priority=1)
    west = WarehouseFactory(code="WEST", country="US", priority=2)
    services.stock_receive(product=product, warehouse=east, quantity=10)
    services.stock_receive(product=product, warehouse=west, quantity=4)
    services.stock_level_update(product=product, warehouse=west, safety_stock=1)
    services.stock_reserve(lines=[StockLine(product, east, 3)], reference="order:SO-1")
    return product, east, west


# --- catalog ---------------------------------------------------------------------------------


def test_products_list_with_search_and_cursor_pagination(support_user):
    for index in range(5):
        ProductFactory(sku=f"LIST-{index}", name=f"Thing {index}")
    api = api_for(support_user)
    first = api.get("/api/v1/products/", {"page_size": 2}).json()
    assert [item["sku"] for item in first["results"]] == ["LIST-0", "LIST-1"]
    second = api.get(first["next"]).json()
    assert [item["sku"] for item in second["results"]] == ["LIST-2", "LIST-3"]
    found = api.get("/api/v1/products/", {"q": "thing 4"}).json()
    assert [item["sku"] for item in found["results"]] == ["LIST-4"]


def test_manager_creates_product_and_duplicate_sku_is_a_field_error(manager_user):
    api = api_for(manager_user)
    body = {"sku": "NEW-1", "name": "New thing", "price": "9.50"}
    created = api.post("/api/v1/products/", body, format="json")
    assert created.status_code == 201
    assert created.json()["price"] == "9.50"
    again = api.post("/api/v1/products/", body, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["fields"]["sku"] == ["product with this SKU already exists."]
    assert Product.objects.filter(sku="NEW-1").count() == 1


def test_put_upserts_a_product_by_sku(manager_user):
    api = api_for(manager_user)
    created = api.put("/api/v1/products/UP-1/", {"name": "First", "price": "5.00"}, format="json")
    assert created.status_code == 201
    updated = api.put("/api/v1/products/UP-1/", {"name": "Second", "price": "6.00"}, format="json")
    assert updated.status_code == 200
    product = Product.objects.get(sku="UP-1")
    assert (product.name, str(product.price)) == ("Second", "6.00")


def test_product_validation_errors_change_nothing(manager_user):
    response = api_for(manager_user).put(
        "/api/v1/products/BAD/", {"name": "", "price": "-1"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"name", "price"}
    assert not Product.objects.filter(sku="BAD").exists()


def test_fulfillment_cannot_change_the_catalog(fulfillment_user):
    response = api_for(fulfillment_user).post(
        "/api/v1/products/", {"sku": "X", "name": "X"}, format="json"
    )
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_warehouses_list_and_create(manager_user, support_user):
    created = api_for(manager_user).post(
        "/api/v1/warehouses/",
        {"code": "PAR", "name": "Paris", "country": "fr", "priority": 4},
        format="json",
    )
    assert created.status_code == 201
    assert Warehouse.objects.get(code="PAR").country == "FR"
    bad = api_for(manager_user).post(
        "/api/v1/warehouses/", {"code": "X", "name": "X", "country": "France"}, format="json"
    )
    assert bad.status_code == 400
    assert "country" in bad.json()["error"]["fields"]
    listing = api_for(support_user).get("/api/v1/warehouses/").json()
    assert [item["code"] for item in listing] == ["PAR"]


# --- stock -----------------------------------------------------------------------------------


def test_stock_levels_per_warehouse(stocked, support_user):
    response = api_for(support_user).get("/api/v1/stock/", {"sku": "API-1"})
    assert response.status_code == 200
    rows = {row["warehouse"]: row for row in response.json()["results"]}
    assert rows["EAST"]["on_hand"] == 10
    assert rows["EAST"]["allocated"] == 3
    assert rows["EAST"]["available"] == 7
    assert rows["WEST"]["safety_stock"] == 1
    assert rows["WEST"]["available"] == 3


def test_stock_without_sku_is_a_validation_error(support_user):
    response = api_for(support_user).get("/api/v1/stock/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"sku": ["Give at least one `sku` parameter."]}


def test_availability_sums_active_warehouses_and_names_unknown_skus(stocked, support_user):
    product, _east, _west = stocked
    inactive = WarehouseFactory(code="OLD", is_active=False)
    services.stock_receive(product=product, warehouse=inactive, quantity=50)
    response = api_for(support_user).get("/api/v1/availability/", {"sku": ["API-1", "NOPE"]})
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"sku": "API-1", "available": 10, "on_hand": 14, "allocated": 3}],
        "unknown_skus": ["NOPE"],
    }


@pytest.mark.parametrize(
    ("body", "on_hand", "kind"),
    [
        ({"quantity": 5, "reason": "receipt"}, 15, "receipt"),
        ({"quantity": -2, "reason": "adjustment"}, 8, "adjustment"),
        ({"quantity": 1, "reason": "damage"}, 9, "damage"),
        ({"set_on_hand": 12, "reason": "count"}, 12, "count"),
    ],
)
def test_adjustments_change_stock_and_write_the_ledger(
    stocked, fulfillment_user, body, on_hand, kind
):
    response = api_for(fulfillment_user).post(
        "/api/v1/stock/adjustments/",
        {"sku": "API-1", "warehouse": "EAST", "reference": "api-test", **body},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["on_hand"] == on_hand
    movement = StockMovement.objects.filter(reference="api-test").get()
    assert (movement.kind, movement.actor) == (kind, fulfillment_user)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sku": "NOPE", "warehouse": "EAST", "quantity": 1, "reason": "receipt"}, "sku"),
        ({"sku": "API-1", "warehouse": "NOPE", "quantity": 1, "reason": "receipt"}, "warehouse"),
        ({"sku": "API-1", "warehouse": "EAST", "quantity": 1, "reason": "theft"}, "reason"),
        ({"sku": "API-1", "warehouse": "EAST", "reason": "adjustment"}, "quantity"),
        ({"sku": "API-1", "warehouse": "EAST", "quantity": 0, "reason": "adjustment"}, "quantity"),
        ({"sku": "API-1", "warehouse": "EAST", "quantity": 3, "reason": "count"}, "set_on_hand"),
    ],
)
def test_bad_adjustments_name_the_field_and_change_nothing(stocked, fulfillment_user, body, field):
    before = StockMovement.objects.count()
    response = api_for(fulfillment_user).post("/api/v1/stock/adjustments/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert StockMovement.objects.count() == before


def test_going_below_zero_is_409_negative_stock(stocked, fulfillment_user):
    response = api_for(fulfillment_user).post(
        "/api/v1/stock/adjustments/",
        {"sku": "API-1", "warehouse": "WEST", "quantity": -5, "reason": "adjustment"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "negative_stock"
    assert StockLevel.objects.get(warehouse__code="WEST").on_hand == 4


def test_removing_allocated_units_is_409(stocked, fulfillment_user):
    response = api_for(fulfillment_user).post(
        "/api/v1/stock/adjustments/",
        {"sku": "API-1", "warehouse": "EAST", "set_on_hand": 1, "reason": "count"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stock_allocated"


@pytest.mark.parametrize("fixture, status", [("support_user", 403), ("manager_user", 201)])
def test_only_fulfillment_manager_and_admin_change_stock(stocked, request, fixture, status):
    response = api_for(request.getfixturevalue(fixture)).post(
        "/api/v1/stock/adjustments/",
        {"sku": "API-1", "warehouse": "EAST", "quantity": 1, "reason": "receipt"},
        format="json",
    )
    assert response.status_code == status


def test_anonymous_gets_401_on_inventory_endpoints(client):
    for path in ["/api/v1/products/", "/api/v1/stock/?sku=A", "/api/v1/availability/?sku=A"]:
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


def test_skus_with_slashes_are_reachable_through_the_api(manager_user):
    api = api_for(manager_user)
    created = api.put("/api/v1/products/CABLE/USB-C/1M/", {"name": "Cable"}, format="json")
    assert created.status_code == 201
    assert api.get("/api/v1/products/CABLE/USB-C/1M/").json()["sku"] == "CABLE/USB-C/1M"


def test_absurd_adjustment_quantities_are_field_errors(stocked, fulfillment_user):
    response = api_for(fulfillment_user).post(
        "/api/v1/stock/adjustments/",
        {"sku": "API-1", "warehouse": "EAST", "quantity": 10**19, "reason": "receipt"},
        format="json",
    )
    assert response.status_code == 400
    assert "quantity" in response.json()["error"]["fields"]
