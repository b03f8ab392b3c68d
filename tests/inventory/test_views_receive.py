"""The receive screen: scans build a list in the form; one submit books it all."""

import pytest
from django.urls import reverse

from inventory.models import MovementKind, StockLevel, StockMovement
from tests.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
URL = "/inventory/receive/"


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", priority=1)


@pytest.fixture
def tee():
    return ProductFactory(sku="TEE-BLK-M", name="Tee black M", barcode="4006381333931")


@pytest.fixture
def mug():
    return ProductFactory(sku="MUG-WHT", name="Mug white", barcode="5012345678900")


@pytest.fixture
def staff(client, fulfillment_user):
    client.force_login(fulfillment_user)
    return fulfillment_user


def lines_of(response) -> dict[str, str]:
    return {line.sku: line.quantity_text for line in response.context["form"].lines}


def lines_of_int(response) -> dict[str, int]:
    return {sku: int(quantity) for sku, quantity in lines_of(response).items()}


def posted_lines(lines: dict[str, int]) -> dict:
    return {"line_sku": list(lines), "line_quantity": [str(q) for q in lines.values()]}


def scan(client, code: str, lines: dict[str, int] | None = None, **extra):
    data = {"warehouse": "EAST", "reference": "", "code": code, **posted_lines(lines or {})}
    return client.post(URL, {**data, "intent": "scan"}, **extra)


def test_url_is_stable():
    assert reverse("inventory:receive") == URL


def test_empty_screen_has_the_scan_field_focused(client, staff, east):
    html = client.get(URL).content.decode()
    assert 'id="receipt-code"' in html
    assert "autofocus" in html
    assert "Nothing scanned yet." in html


def test_scanning_a_barcode_adds_a_line_of_one(client, staff, east, tee):
    response = scan(client, "4006381333931", **HTMX)
    assert response.status_code == 200
    assert lines_of(response) == {"TEE-BLK-M": "1"}
    html = response.content.decode()
    # The form's contents: htmx swaps them into the form, which keeps its submit handler.
    assert html.lstrip().startswith('<input type="hidden" name="csrfmiddlewaretoken"')
    assert "<form" not in html
    assert 'name="line_sku" value="TEE-BLK-M"' in html
    # The scan field comes back empty, ready for the next item.
    assert 'name="code" value=""' in html


def test_scanning_the_same_barcode_twice_gives_quantity_two(client, staff, east, tee):
    first = scan(client, "4006381333931", **HTMX)
    second = scan(client, "4006381333931", lines_of_int(first), **HTMX)
    assert lines_of(second) == {"TEE-BLK-M": "2"}
    assert 'value="2"' in second.content.decode()


def test_typing_a_sku_in_any_case_works_like_a_scan(client, staff, east, tee, mug):
    response = scan(client, "mug-wht", {"TEE-BLK-M": 3}, **HTMX)
    assert lines_of(response) == {"TEE-BLK-M": "3", "MUG-WHT": "1"}


def test_unknown_code_shows_an_error_beside_the_field_and_keeps_the_list(client, staff, east, tee):
    response = scan(client, "0000000000000", {"TEE-BLK-M": 2}, **HTMX)
    assert lines_of(response) == {"TEE-BLK-M": "2"}
    html = response.content.decode()
    assert "Nothing matches “0000000000000”: no product has this barcode or SKU." in html
    error = html.split('id="receipt-code"')[1].split("</div>")[0]
    assert 'role="alert"' in error
    assert not StockMovement.objects.exists()


def test_remove_drops_a_line(client, staff, east, tee, mug):
    data = {"warehouse": "EAST", "code": "", **posted_lines({"TEE-BLK-M": 2, "MUG-WHT": 1})}
    response = client.post(URL, {**data, "remove_line": "TEE-BLK-M"}, **HTMX)
    assert lines_of(response) == {"MUG-WHT": "1"}


def test_edited_quantity_is_kept_on_the_next_scan(client, staff, east, tee, mug):
    response = scan(client, "5012345678900", {"TEE-BLK-M": 12}, **HTMX)
    assert lines_of(response) == {"TEE-BLK-M": "12", "MUG-WHT": "1"}


def test_receive_books_every_line_in_one_transaction_under_the_reference(
    client, staff, east, tee, mug
):
    response = client.post(
        URL,
        {
            "warehouse": "EAST",
            "reference": "PO-1001",
            "code": "",
            "intent": "receive",
            **posted_lines({"TEE-BLK-M": 2, "MUG-WHT": 5}),
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert StockLevel.objects.get(product=tee, warehouse=east).on_hand == 2
    assert StockLevel.objects.get(product=mug, warehouse=east).on_hand == 5
    movements = StockMovement.objects.filter(kind=MovementKind.RECEIPT)
    assert sorted(movements.values_list("product__sku", "on_hand_delta")) == [
        ("MUG-WHT", 5),
        ("TEE-BLK-M", 2),
    ]
    assert set(movements.values_list("reference", "actor")) == {("PO-1001", staff.pk)}
    html = response.content.decode()
    assert "Received 7 units on 2 lines at EAST under PO-1001." in html
    # A fresh, empty receipt for the next delivery, still at the same warehouse.
    assert response.context["form"].lines == []
    assert '<option value="EAST" selected>' in html


def test_plain_post_receive_redirects_back_with_the_warehouse(client, staff, east, tee):
    response = client.post(
        URL,
        {
            "warehouse": "EAST",
            "reference": "PO-7",
            "code": "",
            "intent": "receive",
            **posted_lines({"TEE-BLK-M": 1}),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?warehouse=EAST"
    assert StockLevel.objects.get(product=tee).on_hand == 1


def test_plain_post_scan_renders_the_whole_page(client, staff, east, tee):
    response = scan(client, "TEE-BLK-M")
    html = response.content.decode()
    assert "<html" in html
    assert lines_of(response) == {"TEE-BLK-M": "1"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"warehouse": "", "reference": "PO-1"}, "Choose the warehouse receiving the goods."),
        (
            {"warehouse": "EAST", "reference": " "},
            "Enter the purchase order or delivery note number.",
        ),
        ({"warehouse": "EAST", "reference": "PO-1", "code": "4006381333931"}, "Press Enter to add"),
    ],
)
def test_receive_refuses_an_incomplete_receipt(client, staff, east, tee, data, message):
    response = client.post(
        URL, {"code": "", **data, "intent": "receive", **posted_lines({"TEE-BLK-M": 2})}, **HTMX
    )
    assert message in response.content.decode()
    assert lines_of(response) == {"TEE-BLK-M": "2"}
    assert not StockMovement.objects.exists()


def test_receive_with_no_lines_says_so(client, staff, east):
    response = client.post(
        URL, {"warehouse": "EAST", "reference": "PO-1", "code": "", "intent": "receive"}, **HTMX
    )
    assert "Scan at least one item before receiving." in response.content.decode()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Enter a whole number above zero, or remove the line."),
        ("-1", "Enter a whole number above zero, or remove the line."),
        ("two", "Enter a whole number above zero, or remove the line."),
        ("1" * 20, "Enter at most 1,000,000."),
    ],
)
def test_a_bad_line_quantity_blocks_the_whole_receipt(
    client, staff, east, tee, mug, quantity, message
):
    response = client.post(
        URL,
        {
            "warehouse": "EAST",
            "reference": "PO-1",
            "code": "",
            "intent": "receive",
            "line_sku": ["MUG-WHT", "TEE-BLK-M"],
            "line_quantity": ["3", quantity],
        },
        **HTMX,
    )
    html = response.content.decode()
    assert "Fix the lines marked below." in html
    assert message in html
    assert not StockMovement.objects.exists()
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()


def test_inactive_warehouses_cannot_receive(client, staff, east, tee):
    WarehouseFactory(code="OLD", is_active=False)
    response = client.post(
        URL,
        {
            "warehouse": "OLD",
            "reference": "PO-1",
            "code": "",
            "intent": "receive",
            **posted_lines({"TEE-BLK-M": 1}),
        },
        **HTMX,
    )
    assert "Select a valid choice." in response.content.decode()
    assert not StockMovement.objects.exists()
