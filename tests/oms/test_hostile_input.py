"""Hostile input at the API: every class of it is a 4xx in the error envelope, and writes nothing.

One test per class of input that used to answer 500: NUL bytes (query string, path, JSON
field), values past a column's range, bodies that are not objects or nest too deep,
identifiers outside their character set, currencies that are not ISO 4217, and digits of
other scripts. PostgreSQL only where the failure was PostgreSQL's (NUL, overflow).
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import Product, StockLevel, StockMovement, Warehouse
from inventory.services import MAX_ON_HAND
from oms.api import MAX_JSON_DEPTH
from oms.models import ApiClient
from oms.services import api_client_create
from oms.validators import (
    CODE_MESSAGE,
    CONTROL_CHARACTER_MESSAGE,
    CURRENCY_CODE_MESSAGE,
    NUL_MESSAGE,
    REFERENCE_MESSAGE,
    SURROGATE_MESSAGE,
)
from orders.models import Customer, Order
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin_user):
    _, key = api_client_create(name="hostile", user=admin_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def shop():
    """A channel, a warehouse and a mug with stock: what a valid request names."""
    east = WarehouseFactory(code="EAST", country="US", priority=1)
    give_stock(ProductFactory(sku="MUG", name="Mug"), east, 10)
    return SalesChannelFactory(code="web")


def rows() -> dict[str, int]:
    """How many rows each table a hostile request might write to holds."""
    tables = (Order, Customer, Product, Warehouse, StockLevel, StockMovement, ApiClient)
    return {table.__name__: table.objects.count() for table in tables}


def order_body(**overrides) -> dict:
    body = {
        "channel": "web",
        "external_id": "WEB-1",
        "currency": "USD",
        "customer": {"email": "ada@example.com", "first_name": "Ada"},
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 Analytical Row",
            "city": "Newark",
            "postal_code": "07114",
            "country": "US",
        },
        "lines": [{"sku": "MUG", "quantity": 1, "unit_price": "16.00"}],
    }
    body.update(overrides)
    return body


def refused(response, status=400, code="validation_error") -> dict:
    """The error envelope of a refused request, checked for its status and code."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    return error


# --- NUL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [("/api/v1/orders/", "external_id"), ("/api/v1/products/", "q"), ("/api/v1/stock/", "sku")],
)
def test_a_nul_in_the_query_string_is_a_400_naming_the_parameter(api, path, parameter):
    error = refused(api.get(path, {parameter: "a\x00b"}))
    assert error["fields"] == {parameter: [NUL_MESSAGE]}


@pytest.mark.parametrize("path", ["/api/v1/products/a%00b/", "/api/v1/orders/a%00b/"])
def test_a_nul_in_the_path_is_a_404_and_creates_nothing(api, path):
    before = rows()
    refused(api.get(path), status=404, code="not_found")
    refused(api.put(path, {"name": "Mug"}, format="json"), status=404, code="not_found")
    assert rows() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/stock/adjustments/",
            {"sku": "a\x00b", "warehouse": "EAST", "quantity": 1, "reason": "receipt"},
            "sku",
        ),
        ("/api/v1/api-keys/", {"name": "ERP", "user": "a\x00b"}, "user"),
        (
            "/api/v1/orders/",
            order_body(customer={"email": "a@b.co", "last_name": "\x00"}),
            "customer.last_name",
        ),
    ],
)
def test_a_nul_in_a_json_field_is_a_400_naming_the_field(api, shop, path, body, field):
    before = rows()
    error = refused(api.post(path, body, format="json"))
    assert error["fields"] == {field: [NUL_MESSAGE]}
    assert rows() == before


def test_control_characters_and_lone_surrogates_in_json_are_refused_like_nul(api, shop):
    raw = b'{"code": "W\\u0001", "name": "West", "country": "US", "priority": 2}'
    error = refused(api.post("/api/v1/warehouses/", raw, content_type="application/json"))
    assert error["fields"] == {"code": [CONTROL_CHARACTER_MESSAGE]}
    raw = b'{"code": "WEST", "name": "\\ud800", "country": "US", "priority": 2}'
    error = refused(api.post("/api/v1/warehouses/", raw, content_type="application/json"))
    assert error["fields"] == {"name": [SURROGATE_MESSAGE]}
    assert not Warehouse.objects.filter(code__in=["W\x01", "WEST"]).exists()


# --- values past a column's range -----------------------------------------------------------


def test_lines_whose_total_overflows_the_money_column_are_a_400(api, shop):
    line = {"sku": "MUG", "quantity": 1, "unit_price": "9999999999.99"}
    before = rows()
    error = refused(api.post("/api/v1/orders/", order_body(lines=[line, line]), format="json"))
    assert error["message"] == "The order's total would be above 9,999,999,999.99."
    assert list(error["fields"]) == ["lines"]
    assert rows() == before


def test_an_email_longer_than_its_column_is_a_400(api, shop):
    body = order_body(customer={"email": "a" * 290 + "@example.com"})
    before = rows()
    error = refused(api.post("/api/v1/orders/", body, format="json"))
    assert error["fields"] == {
        "customer.email": ["Ensure this field has no more than 254 characters."]
    }
    assert rows() == before


@pytest.mark.parametrize(
    "moment", ["0000-01-01T00:00:00", "2025-02-30T10:00:00", "9999-12-31T23:59:59-01:00"]
)
def test_a_date_no_datetime_can_hold_is_a_400(api, moment):
    error = refused(api.get("/api/v1/orders/", {"updated_after": moment}))
    assert error["fields"] == {"updated_after": ["Use an ISO 8601 date-time from year 1 to 9999."]}


def test_stock_beyond_the_on_hand_column_is_a_400_and_leaves_the_level_alone(api, shop):
    mug, east = Product.objects.get(sku="MUG"), Warehouse.objects.get(code="EAST")
    level = give_stock(mug, east, MAX_ON_HAND - 10)
    movements = StockMovement.objects.count()
    body = {"sku": "MUG", "warehouse": "EAST", "quantity": 1000, "reason": "receipt"}
    error = refused(api.post("/api/v1/stock/adjustments/", body, format="json"))
    assert error["fields"] == {"lines.0.quantity": ["At most 0 more units fit here."]}
    assert StockLevel.objects.get(pk=level.pk).on_hand == MAX_ON_HAND
    assert StockMovement.objects.count() == movements


# --- bodies that are not objects, or nest too deep ------------------------------------------


@pytest.mark.parametrize("raw", [b"[1]", b'"s"', b"null", b"7"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/products/MUG-2/"),
        ("post", "/api/v1/orders/"),
        ("post", "/api/v1/api-keys/"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_400(api, shop, method, path, raw):
    before = rows()
    response = getattr(api, method)(path, raw, content_type="application/json")
    error = refused(response)
    assert error["fields"] == {"non_field_errors": ["The body must be a JSON object."]}
    assert rows() == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": ' + b'{"a": ' * MAX_JSON_DEPTH + b"1" + b"}" * MAX_JSON_DEPTH + b"}",
        b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["past-the-limit", "five-thousand-deep", "deeper-than-python-parses"],
)
def test_a_body_nested_too_deep_is_a_400(api, raw):
    response = api.put("/api/v1/products/MUG-2/", raw, content_type="application/json")
    assert "nested" in refused(response)["message"]
    assert not Product.objects.exists()


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["A/B", "A B", "A\tB", "ÉAST", "A?B"])
def test_a_warehouse_code_outside_its_character_set_is_refused(api, code):
    body = {"code": code, "name": "West", "country": "US", "priority": 2}
    error = refused(api.post("/api/v1/warehouses/", body, format="json"))
    assert error["fields"] == {"code": [CODE_MESSAGE]}
    assert not Warehouse.objects.exists()


def test_codes_and_skus_in_their_character_sets_are_accepted(api):
    body = {"code": "west_2-b", "name": "West", "country": "us", "priority": 2}
    assert api.post("/api/v1/warehouses/", body, format="json").status_code == 201
    created = api.put("/api/v1/products/CABLE/USB-C%231m/", {"name": "Cable"}, format="json")
    assert created.status_code == 201, created.content
    assert Product.objects.get().sku == "CABLE/USB-C#1m"
    assert api.get("/api/v1/warehouses/").json()[0]["code"] == "west_2-b"


@pytest.mark.parametrize("sku", ["MUG%20BLUE", "MUG%C3%89", "MUG%09X"])
def test_a_sku_outside_its_character_set_is_refused(api, sku):
    error = refused(api.put(f"/api/v1/products/{sku}/", {"name": "Mug"}, format="json"))
    assert error["fields"] == {"sku": [REFERENCE_MESSAGE]}
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"external_id": "WEB 1"}, "external_id"),
        ({"lines": [{"sku": "MUG BLUE", "quantity": 1, "unit_price": "1"}]}, "lines.0.sku"),
        ({"channel": "web/eu"}, "channel"),
    ],
)
def test_capture_refuses_identifiers_outside_their_character_set(api, shop, overrides, field):
    before = rows()
    error = refused(api.post("/api/v1/orders/", order_body(**overrides), format="json"))
    assert list(error["fields"]) == [field]
    assert rows() == before


# --- currencies and digits ------------------------------------------------------------------


@pytest.mark.parametrize("currency", ["€€€", "XYZ", "XXX", "U$D"])
def test_a_currency_that_is_not_iso_4217_is_refused(api, shop, currency):
    before = rows()
    error = refused(api.post("/api/v1/orders/", order_body(currency=currency), format="json"))
    assert error["fields"] == {"currency": [CURRENCY_CODE_MESSAGE]}
    assert rows() == before


def test_an_iso_currency_in_lower_case_is_stored_upper_case(api, shop):
    response = api.post("/api/v1/orders/", order_body(currency="eur"), format="json")
    assert response.status_code == 201
    assert Order.objects.get().currency == "EUR"


def test_digits_of_other_scripts_are_read_as_their_value(api, shop):
    line = {"sku": "MUG", "quantity": "٣", "unit_price": "١٢.٥٠"}
    response = api.post("/api/v1/orders/", order_body(lines=[line]), format="json")
    assert response.status_code == 201, response.content
    stored = Order.objects.get().lines.get()
    assert (stored.quantity, stored.unit_price) == (3, Decimal("12.50"))


def test_signs_that_only_look_like_digits_are_refused(api, shop):
    line = {"sku": "MUG", "quantity": "²", "unit_price": "1"}
    error = refused(api.post("/api/v1/orders/", order_body(lines=[line]), format="json"))
    assert list(error["fields"]) == ["lines.0.quantity"]
    assert not Order.objects.exists()
