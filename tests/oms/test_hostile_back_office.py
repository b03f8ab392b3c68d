"""Hostile input in the back office: a 4xx page or a form error, never a 500, nothing written.

NUL in a search box, a path or a form (PostgreSQL cannot store or compare it), identifiers
and currencies outside their sets at the doors that create them (the admin, CSV imports), a
private webhook URL, and the database's own refusal as the last backstop.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.http import HttpResponse
from django.test import RequestFactory

from inventory.csv_import import read_counts
from inventory.models import StockMovement
from oms.csvfiles import FileRefused, read_table
from oms.input_guards import DataErrorMiddleware
from oms.models import WebhookEndpoint
from oms.validators import CURRENCY_CODE_MESSAGE
from orders.csv_import import COLUMNS, read_orders
from orders.models import Order, OrderEvent, OrderHold, SalesChannel
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 10)
    return capture(SalesChannelFactory(code="web"), [("MUG", 1)])


def page_says(response, status: int, text: str) -> None:
    assert response.status_code == status
    assert text in response.content.decode()


# --- NUL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/orders/search/", "q"),
        ("/orders/", "channel"),
        ("/inventory/products/", "q"),
        ("/dashboard/", "channel"),
        ("/shipping/shipments/", "q"),
    ],
)
def test_a_nul_in_a_search_is_a_400_page(client, manager_user, path, parameter):
    client.force_login(manager_user)
    response = client.get(path, {parameter: "mug\x00"})
    page_says(response, 400, f"“{parameter}” holds a NUL character, which cannot be stored")


@pytest.mark.parametrize("path", ["/inventory/products/a%00b/", "/orders/SO%00/"])
def test_a_nul_in_the_path_is_a_404_page(client, manager_user, path):
    client.force_login(manager_user)
    page_says(client.get(path), 404, "Nothing here")


def test_a_nul_in_a_form_field_is_a_400_and_writes_nothing(client, support_user, order):
    client.force_login(support_user)
    events = OrderEvent.objects.count()
    response = client.post(f"/orders/{order.number}/notes/", {"text": "call back\x00"})
    page_says(response, 400, "“text” holds a NUL character")
    assert OrderEvent.objects.count() == events


@pytest.mark.parametrize("query", ["channel=%00", "q=a%00b", "after=%00"])
def test_a_nul_inside_the_bulk_forms_page_query_never_reaches_the_database(
    client, support_user, order, query
):
    """The bulk form carries the queue's own query string, decoded only in the view."""
    client.force_login(support_user)
    response = client.post(
        "/orders/bulk/", {"action": "hold", "orders": [order.number], "query": query}
    )
    page_says(response, 200, "Choose why the orders are held.")
    assert not OrderHold.objects.exists()


# --- identifiers and currencies at the doors that create them -------------------------------


def test_the_channel_admin_refuses_a_bad_code_and_currency(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/orders/saleschannel/add/",
        {
            "code": "web/eu",
            "name": "Web EU",
            "kind": "web",
            "currency": "€€€",
            "sla_hours": 48,
            "capture_policy": "on_ship",
            "webhook_platform": "",
            "is_active": "on",
        },
    )
    page_says(response, 200, CURRENCY_CODE_MESSAGE)
    assert "Enter a valid “slug”" in response.content.decode()
    assert not SalesChannel.objects.exists()


def test_a_channel_currency_is_stored_as_its_iso_code():
    channel = SalesChannel(code="eu", name="EU", currency="eur")
    channel.full_clean()
    assert channel.currency == "EUR"


ORDER_HEADER = ",".join(COLUMNS)


def order_row(**cells) -> str:
    values = {
        **{"order_id": "M-1", "email": "grace@example.com", "sku": "MUG", "quantity": "2"},
        **{"unit_price": "16.00", "currency": "USD", "ship_name": "Grace", "ship_line1": "1 Way"},
        **{"ship_city": "Arlington", "ship_postal_code": "22201", "ship_country": "US"},
    }
    values.update(cells)
    return ",".join(values.get(column, "") for column in COLUMNS)


def import_errors(*rows: str) -> list[tuple[str, ...]]:
    text = "\n".join((ORDER_HEADER, *rows)) + "\n"
    sheet = read_orders(text, currency="USD", known_skus=lambda skus: skus)
    return [row.errors for row in sheet.rows]


def test_the_order_import_refuses_identifiers_and_currencies_outside_their_sets():
    errors = import_errors(
        order_row(order_id="M 1"),
        order_row(order_id="M-2", sku="MUG BLUE"),
        order_row(order_id="M-3", currency="€€€"),
        order_row(order_id="M-4", email="a" * 250 + "@example.com"),
    )
    assert errors[0][0].startswith("Order id “M 1”: at most 100 characters.")
    assert errors[1][0].startswith("SKU “MUG BLUE”: at most 64 characters.")
    assert errors[2] == ("Currency must be an ISO 4217 code like USD (got “€€€”).",)
    assert errors[3][0].startswith("Email “aaaa")


def test_the_order_import_refuses_an_order_whose_total_overflows():
    errors = import_errors(
        order_row(unit_price="9999999999.99"), order_row(unit_price="9999999999.99")
    )
    assert errors[0] == ("The order's total would be above 9,999,999,999.99.",)


def test_the_imports_read_digits_of_other_scripts_and_refuse_look_alikes():
    errors = import_errors(order_row(quantity="١٠"), order_row(order_id="M-2", quantity="²"))
    assert errors[0] == ()
    assert errors[1] == ("Quantity must be a whole number from 1 to 100,000 (got “²”).",)
    counts = read_counts("sku,warehouse,counted\nMUG,EAST,１２\nCUP,EAST,²\n").rows
    assert (counts[0].counted, counts[0].errors) == (12, ())
    assert counts[1].errors == ("Counted must be a whole number of 0 or more (got “²”).",)


@pytest.mark.parametrize("character", ["\x00", "\x07"])
def test_a_csv_file_holding_control_characters_is_refused_with_its_line(character):
    text = f"sku,warehouse,counted\nMUG,EAST,1\nMUG{character},WEST,2\n"
    with pytest.raises(FileRefused, match=r"^Line 3 of the file: ") as refusal:
        read_table(text, max_bytes=10_000, max_rows=10, header_problem=lambda columns: None)
    assert "Save it again as CSV UTF-8." in refusal.value.message


def test_the_count_import_page_shows_the_refusal(client, manager_user):
    client.force_login(manager_user)
    upload = SimpleUploadedFile("counts.csv", b"sku,warehouse,counted\nMUG\x00,EAST,1\n")
    response = client.post("/inventory/count-import/", {"file": upload})
    page_says(response, 200, "Line 2 of the file: Null characters are not allowed.")
    assert not StockMovement.objects.exists()


# --- the webhook page -----------------------------------------------------------------------


def test_a_private_webhook_url_is_a_form_error(client, manager_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    client.force_login(manager_user)
    response = client.post(
        "/system/webhooks/", {"url": "http://127.0.0.1:5432/", "events": ["order.created"]}
    )
    page_says(response, 200, "127.0.0.1 is an internal address (127.0.0.1)")
    assert not WebhookEndpoint.objects.exists()


# --- the backstop ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/orders/", "validation_error"),
        ("/orders/", "cannot be stored; the request was refused"),
    ],
)
def test_a_value_the_database_refuses_is_a_400_not_a_500(manager_user, path, expected):
    request = RequestFactory().post(path)
    request.user = manager_user
    middleware = DataErrorMiddleware(lambda request: HttpResponse())
    response = middleware.process_exception(request, DataError("numeric field overflow"))
    page_says(response, 400, expected)
    assert middleware.process_exception(request, ValueError("not ours")) is None


def test_order_edits_refuse_totals_their_columns_cannot_hold(client, support_user, order):
    client.force_login(support_user)
    ProductFactory(sku="GOLD", price=Decimal("9999999999.99"))
    response = client.post(
        f"/orders/{order.number}/lines/add/",
        {"sku": "GOLD", "quantity": "2", "unit_price": "9999999999.99"},
        follow=True,
    )
    page_says(response, 200, "The order&#x27;s total would be above 9,999,999,999.99.")
    assert list(Order.objects.get().lines.values_list("sku", flat=True)) == ["MUG"]
