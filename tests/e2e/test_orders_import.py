"""Importing a marketplace CSV in the browser: preview and import swap in place, no reload."""

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests.e2e.browser import htmx_ready
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory
from tests.orders.test_csv_import import CLEAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_previews_and_imports_a_file_without_a_reload(page, login, support_user):
    channel = SalesChannelFactory(code="amazon", name="Amazon")
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    for sku in ("MUG", "TOWEL"):
        give_stock(ProductFactory(sku=sku), warehouse, 10)
    login(support_user.username, DEFAULT_PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import orders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import orders")
    htmx_ready(page)
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Channel").select_option(str(channel.pk))
    page.get_by_label("Orders file (CSV)").set_input_files(
        {"name": "export.csv", "mimeType": "text/csv", "buffer": CLEAN.encode()}
    )
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("status")).to_contain_text("All 3 rows pass: 2 orders.")
    page.get_by_role("button", name="Import 2 orders").click()

    expect(page.get_by_role("status")).to_contain_text("2 orders in the file: 2 imported.")
    assert page.evaluate("window.__marker") == "same page"
    assert Order.objects.filter(channel=channel).count() == 2
