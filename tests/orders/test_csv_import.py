"""Order import from a marketplace CSV: preview with reasons → import a clean file, once."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oms.csvfiles import file_hash
from orders.csv_import import COLUMNS, read_orders
from orders.models import HoldReason, Order, OrderStatus
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db

URL = "/orders/import/"
APPLY_URL = "/orders/import/apply/"
HEADER = ",".join(COLUMNS)


def row(order_id="M-1", **cells) -> str:
    values = {
        "order_id": order_id,
        "email": "grace@example.com",
        "first_name": "Grace",
        "last_name": "Hopper",
        "sku": "MUG",
        "quantity": "2",
        "unit_price": "16.00",
        "currency": "USD",
        "ship_name": "Grace Hopper",
        "ship_line1": "1 Compiler Way",
        "ship_city": "Arlington",
        "ship_region": "VA",
        "ship_postal_code": "22201",
        "ship_country": "US",
        "shipping_total": "7.00",
        "tax_total": "3.04",
        "discount_total": "0",
        "placed_at": "2025-03-04T14:15:00Z",
    }
    values.update(cells)
    return ",".join(values.get(column, "") for column in COLUMNS)


def csv_file(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


CLEAN = csv_file(
    row("M-1"),
    # The second line of M-1 leaves the order's cells blank: they come from its first row.
    ",".join(
        "M-1"
        if c == "order_id"
        else "TOWEL"
        if c == "sku"
        else "1"
        if c == "quantity"
        else "10.00"
        if c == "unit_price"
        else ""
        for c in COLUMNS
    ),
    row(
        "M-2",
        email="ada@example.com",
        first_name="Ada",
        last_name="Lovelace",
        sku="TOWEL",
        quantity="3",
        unit_price="10.00",
        ship_name="Ada Lovelace",
    ),
)


@pytest.fixture
def channel():
    return SalesChannelFactory(code="amazon", name="Amazon")


@pytest.fixture
def stock():
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    give_stock(ProductFactory(sku="MUG", name="Stoneware mug"), warehouse, 50)
    give_stock(ProductFactory(sku="TOWEL", name="Tea towel"), warehouse, 50)


@pytest.fixture
def staff(client, support_user):
    client.force_login(support_user)
    return support_user


def upload(client, channel, text: str, name="export.csv"):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(URL, {"channel": channel.pk, "file": file})


def import_token(response) -> str:
    html = response.content.decode()
    marker = 'name="token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_page_documents_every_column_and_is_in_the_navigation(client, staff, channel):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html
    assert 'href="/orders/import/" aria-current="page">Import orders</a>' in html
    assert '<label for="import-channel">Channel</label>' in html
    assert '<label for="import-file">Orders file (CSV)</label>' in html


def test_preview_marks_each_bad_row_with_its_reason_and_offers_no_import(
    client, staff, channel, stock
):
    text = csv_file(
        row("", sku="MUG"),  # line 2
        row("B-1", email=""),  # line 3: the order has no email on any row
        row("B-2", quantity="1.5"),  # line 4
        row("B-3", quantity="0"),  # line 5
        row("B-4", unit_price="ten"),  # line 6
        row("B-5"),  # line 7
        row("B-5", email="other@example.com"),  # line 8: disagrees with line 7
        row("B-6", currency="USD"),  # line 9
        row("B-6", currency="EUR", ship_city="Boston"),  # line 10: disagrees twice
        row("B-7", sku="NEW-SKU"),  # line 11: a warning only
    )

    response = upload(client, channel, text)

    assert response.status_code == 200
    html = response.content.decode()
    assert "7 of 10 rows cannot be imported" in html
    assert "Order id is missing." in html
    assert "No email for order B-1" in html
    assert "Quantity must be a whole number from 1 to 100,000 (got “1.5”)." in html
    assert "(got “0”)" in html
    assert "Unit price must be a number of 0 or more (got “ten”)." in html
    assert "Email “other@example.com” differs from line 7 of this order" in html
    assert "Currency “EUR” differs from line 9" in html
    assert "Ship city “Boston” differs from line 9" in html
    assert "Unknown SKU “NEW-SKU”: the order will be captured and held." in html
    assert 'name="token"' not in html
    assert "Import " not in html.split('id="import-result"')[1].split("<table")[0]
    assert not Order.objects.exists()


def test_rows_are_checked_without_the_database_too():
    sheet = read_orders(
        csv_file(row("X-1", sku="MUG"), row("X-1", sku="GHOST", quantity="-1")),
        currency="USD",
        known_skus=lambda skus: {"MUG"} & skus,
    )

    assert not sheet.is_clean
    first, second = sheet.rows
    assert (first.errors, first.warnings) == ((), ())
    assert second.errors == ("Quantity must be a whole number from 1 to 100,000 (got “-1”).",)
    assert second.warnings == ("Unknown SKU “GHOST”: the order will be captured and held.",)


def test_file_with_wrong_columns_is_refused_as_a_whole(client, staff, channel):
    response = upload(client, channel, "id,mail,item\n1,a@example.com,MUG\n")

    html = response.content.decode()
    assert "The first row must name the columns" in html
    assert 'role="alert"' in html
    assert 'name="token"' not in html


def test_clean_file_imports_each_order_through_capture(client, staff, channel, stock):
    preview = upload(client, channel, CLEAN)
    assert "All 3 rows pass: 2 orders." in preview.content.decode()

    response = client.post(APPLY_URL, {"token": import_token(preview)})

    assert response.status_code == 200
    assert "2 orders in the file: 2 imported." in response.content.decode()
    first = Order.objects.get(channel=channel, external_id="M-1")
    assert [(line.sku, line.quantity, line.unit_price) for line in first.lines.all()] == [
        ("MUG", 2, Decimal("16.00")),
        ("TOWEL", 1, Decimal("10.00")),
    ]
    assert (first.email, first.currency, first.shipping_total, first.tax_total) == (
        "grace@example.com",
        "USD",
        Decimal("7.00"),
        Decimal("3.04"),
    )
    assert first.grand_total == Decimal("52.04")
    assert first.shipping_address.city == "Arlington"
    assert first.status == OrderStatus.READY
    captured = first.events.get(type="captured")
    assert (captured.data["source"], captured.actor) == ("csv", staff)
    second = Order.objects.get(channel=channel, external_id="M-2")
    assert (second.email, second.lines.get().quantity) == ("ada@example.com", 3)
    assert f'href="/orders/{first.number}/"' in response.content.decode()


def test_importing_the_same_file_again_creates_nothing(client, staff, channel, stock):
    first = upload(client, channel, CLEAN)
    client.post(APPLY_URL, {"token": import_token(first)})

    again = upload(client, channel, CLEAN)
    html = again.content.decode()
    assert "2 were imported before and will be skipped" in html
    assert "already imported as SO-" in html
    response = client.post(APPLY_URL, {"token": import_token(again)})

    assert "2 orders in the file: 2 already imported." in response.content.decode()
    assert Order.objects.count() == 2


def test_unknown_sku_and_incomplete_address_import_as_held_orders(client, staff, channel, stock):
    text = csv_file(row("H-1", sku="NEW-SKU"), row("H-2", ship_postal_code="", ship_country=""))
    preview = upload(client, channel, text)
    assert "Shipping address: postal code is missing" in preview.content.decode()

    client.post(APPLY_URL, {"token": import_token(preview)})

    unknown = Order.objects.get(external_id="H-1")
    assert unknown.status == OrderStatus.ON_HOLD
    assert unknown.holds.filter(reason=HoldReason.UNKNOWN_SKU).exists()
    address = Order.objects.get(external_id="H-2")
    assert address.holds.filter(reason=HoldReason.ADDRESS_INVALID).exists()


def test_import_without_a_current_preview_imports_nothing(client, staff, channel, stock):
    preview = upload(client, channel, CLEAN)

    response = client.post(APPLY_URL, {"token": "not-the-hash"})
    token = import_token(preview)
    client.post(APPLY_URL, {"token": token})
    replay = client.post(APPLY_URL, {"token": token})

    assert "That preview is no longer current" in response.content.decode()
    assert "That preview is no longer current" in replay.content.decode()
    assert Order.objects.count() == 2


def test_import_checks_the_file_again_against_the_catalog(client, staff, channel, stock):
    text = csv_file(row("C-1", discount_total="5"))
    preview = upload(client, channel, text)
    session = client.session
    # The same text with the discount above the order: the re-check must catch it.
    bad = csv_file(row("C-1", discount_total="500"))
    session["orders.csv_import"].update({"text": bad, "hash": file_hash(bad)})
    session.save()

    response = client.post(APPLY_URL, {"token": file_hash(bad)})

    assert import_token(preview)
    assert "Nothing was imported" in response.content.decode()
    assert "Discount total is larger than the order." in response.content.decode()
    assert not Order.objects.exists()


def test_htmx_upload_gets_the_form_and_preview_only(client, staff, channel, stock):
    file = SimpleUploadedFile("export.csv", CLEAN.encode(), content_type="text/csv")

    response = client.post(
        URL, {"channel": channel.pk, "file": file}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order-import">')
    assert "<html" not in html
    assert "Import 2 orders" in html


def test_upload_without_channel_or_file_says_what_is_missing(client, staff, channel):
    response = client.post(URL, {})

    html = response.content.decode()
    assert html.count('class="error" role="alert"') == 2


def test_manager_may_import(client, manager_user, channel):
    client.force_login(manager_user)

    assert client.get(URL).status_code == 200


def test_fulfillment_staff_may_not_import(client, fulfillment_user, channel):
    client.force_login(fulfillment_user)

    assert client.get(URL).status_code == 403
    assert client.post(APPLY_URL, {"token": "x"}).status_code == 403


def test_anonymous_is_sent_to_log_in(client, channel):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/orders/import/")
