"""The New order page keeps a clean console while support works fast: a field changed and a
button clicked at once, a product added while the totals are being fetched. htmx reports a
request it aborts as a console error, so the page's requests queue instead of aborting."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, SalesChannel
from tests.e2e.browser import htmx_ready
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, address, capture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    channel = SalesChannelFactory(code="phone", name="Phone orders", kind=SalesChannel.Kind.MANUAL)
    east = WarehouseFactory(code="EWR", name="Newark", country="US", priority=1)
    hoodie = ProductFactory(sku="HOOD-NVY-M", name="Fleece hoodie, navy, M", price=Decimal("59.00"))
    give_stock(hoodie, east, 5)
    give_stock(ProductFactory(sku="MUG-BLK", name="Stoneware mug", price=Decimal("16.00")), east, 3)
    capture(channel, [("MUG-BLK", 1)], email="ada@example.com", shipping_address=address())


@pytest.fixture
def console_errors(page):
    found = []
    page.on(
        "console", lambda message: found.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: found.append(f"exception: {error}"))
    return found


def test_building_and_placing_an_order_fast_logs_no_console_error(
    page, login, support_user, shop, console_errors
):
    login(support_user.username, DEFAULT_PASSWORD)
    page.goto("/manual-orders/")
    htmx_ready(page)

    # The search field's change (totals) and the pick (the form) leave together.
    page.get_by_label("Find a customer").fill("lovel")
    page.get_by_role("button", name=re.compile("Ada Lovelace")).click()
    expect(page.get_by_label("Email", exact=True)).to_have_value("ada@example.com")

    page.get_by_label("Find a product").press_sequentially("hoodie", delay=40)
    page.get_by_role("button", name="Add HOOD-NVY-M").click()
    expect(page.get_by_label("Quantity of HOOD-NVY-M")).to_have_value("1")

    # A scanner's Enter adds the product while the totals of the last change are on their way.
    page.get_by_label("Quantity of HOOD-NVY-M").fill("2")
    page.get_by_label("Find a product").fill("MUG-BLK")
    page.get_by_label("Find a product").press("Enter")
    expect(page.get_by_label("Quantity of MUG-BLK")).to_have_value("1")
    expect(page.get_by_test_id("subtotal")).to_have_text("134.00")

    # Typed and placed at once: the totals request and the placing one meet.
    page.get_by_label("Shipping", exact=True).fill("6.50")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/SO-\d+/$"))
    page.wait_for_load_state("load")

    order = Order.objects.get(origin=Order.Origin.MANUAL)
    assert order.grand_total == Decimal("140.50")
    assert sorted(order.lines.values_list("sku", "quantity")) == [
        ("HOOD-NVY-M", 2),
        ("MUG-BLK", 1),
    ]
    assert console_errors == []
