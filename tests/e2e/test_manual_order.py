"""A phone order taken by support: search, see the stock, build the order, place it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import StockLevel
from orders.models import Order, OrderStatus, SalesChannel
from tests.e2e.browser import htmx_ready, htmx_settled
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, address, capture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/manual-order.png"


@pytest.fixture
def catalog():
    SalesChannelFactory(code="phone", name="Phone orders", kind=SalesChannel.Kind.MANUAL)
    east = WarehouseFactory(code="EWR", name="Newark", country="US", priority=1)
    hoodie = ProductFactory(sku="HOOD-NVY-M", name="Fleece hoodie, navy, M", price=Decimal("59.00"))
    give_stock(hoodie, east, 5)
    give_stock(ProductFactory(sku="MUG-BLK", name="Stoneware mug", price=Decimal("16.00")), east, 3)
    return hoodie


def test_support_builds_a_phone_order_and_places_it(page, login, support_user, catalog):
    login(support_user.username, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New order")
    htmx_ready(page)

    page.get_by_label("Find a product").fill("hoodie")
    result = page.locator("#product-results tr[data-sku='HOOD-NVY-M']")
    expect(result).to_contain_text("Fleece hoodie, navy, M")
    expect(result).to_contain_text("5 available")
    result.get_by_role("button", name="Add HOOD-NVY-M").click()

    quantity = page.get_by_label("Quantity of HOOD-NVY-M")
    expect(quantity).to_have_value("1")
    # Let the swaps the click started finish, or they could replace the field being typed in.
    expect(page.get_by_test_id("subtotal")).to_have_text("59.00")
    htmx_settled(page)
    quantity.fill("2")
    expect(page.get_by_test_id("subtotal")).to_have_text("118.00")

    page.get_by_label("Email", exact=True).fill("grace@example.com")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Recipient").fill("Grace Hopper")
    page.get_by_label("Street address").fill("1 Compiler Way")
    page.get_by_label("City").fill("Arlington")
    page.get_by_label("Region / state").fill("VA")
    page.get_by_label("Postal code").fill("22201")
    page.get_by_label("Country").fill("US")
    page.get_by_label("Shipping", exact=True).fill("6.50")
    expect(page.get_by_test_id("grand-total")).to_have_text("124.50 USD")
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/SO-\d+/$"))

    order = Order.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(order.number)
    expect(page.get_by_role("status")).to_contain_text(f"Order {order.number} placed")
    assert (order.status, order.origin, order.email) == (
        OrderStatus.READY,
        Order.Origin.MANUAL,
        "grace@example.com",
    )
    assert order.grand_total == Decimal("124.50")
    line = order.lines.get()
    assert (line.sku, line.quantity) == ("HOOD-NVY-M", 2)
    assert sum(allocation.quantity for allocation in line.allocations.all()) == 2
    assert StockLevel.objects.get(product=catalog).allocated == 2


def test_support_picks_a_returning_customer_and_gets_their_last_address(
    page, login, support_user, catalog
):
    channel = SalesChannel.objects.get(code="phone")
    capture(
        channel,
        [("MUG-BLK", 1)],
        email="ada@example.com",
        shipping_address=address(name="Ada Lovelace", line1="12 Analytical Row", city="Newark"),
    )
    login(support_user.username, DEFAULT_PASSWORD)
    page.goto("/manual-orders/")

    page.get_by_label("Find a customer").fill("lovel")
    page.get_by_role("button", name=re.compile("Ada Lovelace")).click()
    expect(page.get_by_label("Email", exact=True)).to_have_value("ada@example.com")
    expect(page.get_by_label("Street address")).to_have_value("12 Analytical Row")

    # A scanner types the SKU and presses Enter: the product is added, the search is cleared.
    page.get_by_label("Find a product").fill("MUG-BLK")
    page.get_by_label("Find a product").press("Enter")
    expect(page.get_by_label("Quantity of MUG-BLK")).to_have_value("1")
    expect(page.get_by_label("Find a product")).to_have_value("")

    page.get_by_label("Quantity of MUG-BLK").fill("0")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("alert").first).to_contain_text("Fix the lines marked below.")
    expect(page.locator("#order-lines")).to_contain_text("Enter a whole number above zero")
    assert Order.objects.count() == 1
