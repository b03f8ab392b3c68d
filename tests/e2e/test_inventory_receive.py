"""Receiving a delivery with a keyboard-wedge scanner: the list grows in place, no reload."""

import pytest
from playwright.sync_api import expect

from inventory.models import StockLevel, StockMovement
from tests.e2e.browser import htmx_ready
from tests.inventory.factories import ProductFactory, WarehouseFactory
from tests.oms.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BARCODE = "4006381333931"


def scan(page, code: str) -> None:
    """What a scanner does: type into the focused field, then press Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_fulfillment_scans_twice_and_receives_without_a_reload(page, login, fulfillment_user):
    east = WarehouseFactory(code="EAST", name="East coast")
    tee = ProductFactory(sku="TEE-BLK-M", name="Tee black M", barcode=BARCODE)
    login(fulfillment_user.username, DEFAULT_PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Receive stock").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Receive stock")
    htmx_ready(page)
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Warehouse").select_option("EAST")
    page.get_by_label("Reference").fill("PO-2001")

    page.get_by_label("Scan a barcode or type a SKU").focus()
    scan(page, BARCODE)
    quantity = page.get_by_label("Quantity of TEE-BLK-M")
    expect(quantity).to_have_value("1")
    # The scan field is empty and keeps the focus, ready for the next item.
    scan_field = page.get_by_label("Scan a barcode or type a SKU")
    expect(scan_field).to_have_value("")
    expect(scan_field).to_be_focused()
    scan(page, BARCODE)
    expect(quantity).to_have_value("2")

    scan(page, "0000000000000")
    expect(page.get_by_role("alert")).to_contain_text("Nothing matches “0000000000000”")
    expect(quantity).to_have_value("2")

    page.get_by_role("button", name="Receive 2 units").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Received 2 units on 1 line at EAST under PO-2001."
    )
    expect(page.get_by_text("Nothing scanned yet.")).to_be_visible()
    assert page.evaluate("window.__marker") == "same page"

    assert StockLevel.objects.get(product=tee, warehouse=east).on_hand == 2
    movement = StockMovement.objects.get(product=tee)
    assert (movement.on_hand_delta, movement.reference, movement.actor) == (
        2,
        "PO-2001",
        fulfillment_user,
    )


def test_receiving_on_the_product_page_updates_the_levels_in_place(page, login, manager_user):
    WarehouseFactory(code="EAST", name="East coast")
    tee = ProductFactory(sku="TEE-BLK-M", name="Tee black M", barcode=BARCODE)
    login(manager_user.username, DEFAULT_PASSWORD)
    page.goto(f"/inventory/products/{tee.sku}/")
    htmx_ready(page)
    page.evaluate("window.__marker = 'same page'")
    expect(page.locator("#stock-levels")).to_contain_text("No stock in any warehouse yet.")

    receive = page.locator("#receive-form")
    receive.get_by_label("Warehouse").select_option("EAST")
    receive.get_by_label("Quantity").fill("0")
    receive.get_by_role("button", name="Receive").click()
    expect(receive.get_by_role("alert")).to_have_text("Enter a quantity above zero.")

    receive.get_by_label("Quantity").fill("6")
    receive.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("status")).to_contain_text("Received 6 units of TEE-BLK-M at EAST")
    expect(page.locator("#stock-levels tbody tr")).to_contain_text("EAST")
    expect(page.locator("#stock-levels tfoot")).to_contain_text("6")
    expect(page.locator("#recent-movements")).to_contain_text("Receipt")
    # The form is blank again but keeps the warehouse for the next delivery.
    expect(receive.get_by_label("Quantity")).to_have_value("")
    expect(receive.get_by_label("Warehouse")).to_have_value("EAST")
    assert page.evaluate("window.__marker") == "same page"
    assert StockLevel.objects.get(product=tee).on_hand == 6
