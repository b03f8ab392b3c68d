"""A fulfillment worker's batch in a real browser: three ready orders ticked in the Ready queue
become a pick list, each parcel is packed by scanning its item into the packing station's field
(a keyboard-wedge scanner types the code, then Enter), each label is printed as soon as it is
ready, and the batch is handed to the carrier in one go; the order pages then show the parcels
shipped, with a tracking link.

The test counts what the worker does — every click, and every scan with its Enter — and holds
the batch to at most four actions per order.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import Warehouse
from inventory.services import stock_level_update
from orders.models import Order
from shipping.models import Shipment, ShipmentStatus
from shipping.services import pick_list_create
from tests.e2e.browser import htmx_ready, htmx_settled
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, capture
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (SKU, barcode, bin) of the three products, one per order.
ITEMS = [("MUG", "4006381000101", "B-07"), ("TEE", "4006381000102", "A-03"), ("CAP", "", "")]
MAX_ACTIONS_PER_ORDER = 4


@pytest.fixture
def orders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # where the labels are stored
    east = WarehouseFactory(code="EAST", name="East coast", priority=1, country="US")
    carrier = CarrierFactory(code="sbx", name="Sandbox Parcel")
    ground = ShippingMethodFactory(carrier=carrier, code="ground", name="Ground")
    ShippingRateFactory(method=ground, up_to_grams=5000, base=Decimal("5.00"))
    web = SalesChannelFactory(code="web", name="Web store")
    found = []
    for sku, barcode, bin_location in ITEMS:
        product = ProductFactory(sku=sku, name=sku.title(), barcode=barcode, weight_grams=300)
        give_stock(product, east, 10)
        if bin_location:
            stock_level_update(product=product, warehouse=east, bin_location=bin_location)
        found.append(capture(web, [(sku, 1, "12.00")]))
    assert {order.status for order in found} == {"ready"}
    return found


class Worker:
    """The browser, counting what the worker does."""

    def __init__(self, page):
        self.page = page
        self.actions = 0

    def click(self, locator) -> None:
        self.actions += 1
        locator.click()

    def scan(self, code: str) -> None:
        """What a scanner does: type into the focused field, then press Enter."""
        self.actions += 1
        self.page.keyboard.type(code)
        self.page.keyboard.press("Enter")


def test_a_worker_picks_packs_labels_and_ships_three_orders(page, login, fulfillment_user, orders):
    login(fulfillment_user.username, DEFAULT_PASSWORD)
    worker = Worker(page)

    # The Ready queue: tick the three orders, make their pick list.
    worker.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders"))
    htmx_ready(page)
    worker.click(page.get_by_role("link", name="Ready to fulfill"))
    # The tab swaps the list in with htmx: tick only once the Ready list has replaced it.
    expect(page).to_have_url(re.compile(r"queue=ready"))
    htmx_settled(page)
    expect(page.locator("#queue tbody tr")).to_have_count(3)
    worker.click(page.get_by_label("Select every order on this page"))
    expect(page.locator("#queue tbody input[name=orders]:checked")).to_have_count(3)
    worker.click(page.get_by_role("button", name="Pick list"))

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Pick list PL-")
    number = heading.inner_text().removeprefix("Pick list ")
    expect(page.get_by_role("status").first).to_contain_text(
        f"{number}: 3 parcels for 3 orders at EAST."
    )
    # Bin by bin, the one without a bin last; the list's number as a barcode.
    rows = page.locator(".pick-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("A-03")
    expect(rows.nth(1)).to_contain_text("B-07")
    expect(rows.nth(2)).to_contain_text("(no bin)")
    expect(page.get_by_role("img", name=f"Barcode {number}")).to_be_visible()
    shipments = list(Shipment.objects.filter(pick_list__number=number).order_by("id"))
    by_order = {order.pk: order for order in orders}

    # The packing station: each parcel opens by itself, one scan packs it.
    worker.click(page.get_by_role("link", name="Pack 3 parcels"))
    htmx_ready(page)
    scan_field = page.get_by_label("Scan an item, an order or a pick list")
    expect(scan_field).to_be_focused()
    batch = page.locator("#pack-batch")
    for index, shipment in enumerate(shipments):
        order = by_order[shipment.order_id]
        sku = order.lines.get().sku
        expect(page.locator("#pack-parcel-title")).to_contain_text(shipment.number)
        expect(page.locator(f"[data-testid=packed-{sku}]")).to_have_text("0 of 1")
        barcode = next(code for item_sku, code, _ in ITEMS if item_sku == sku)
        worker.scan(barcode or sku)  # the cap has no barcode: its SKU is typed
        expect(page.get_by_role("status").filter(has_text="label requested")).to_contain_text(
            f"{shipment.number} packed for {order.number}"
        )
        # The label is made; print it (the PDF opens in a new tab).
        print_label = batch.get_by_role("link", name=f"Print label of {shipment.number}")
        expect(print_label).to_be_visible()
        with page.expect_popup() as popup:
            worker.click(print_label)
        popup.value.close()
        # Ready for the next scan at once: the field is empty and has the focus.
        expect(scan_field).to_have_value("")
        expect(scan_field).to_be_focused()
        if index < len(shipments) - 1:
            expect(page.locator("#pack-parcel-title")).to_contain_text(shipments[index + 1].number)

    expect(page.get_by_test_id("pack-idle")).to_contain_text("Nothing left to pack")
    label = page.request.get(f"/shipping/shipments/{shipments[0].pk}/label.pdf")
    assert label.ok and label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF")

    # Hand the batch to the carrier: one click, one message.
    worker.click(page.get_by_role("button", name="Mark 3 labelled parcels shipped"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pick list {number}")
    expect(page.locator("#messages .flash")).to_have_count(1)
    expect(page.locator("#messages")).to_contain_text("Shipped 3 of 3.")
    expect(page.locator(".pick-parcels .badge")).to_have_text(["Shipped"] * 3)

    per_order = worker.actions / len(orders)
    print(f"\nworker actions: {worker.actions} for {len(orders)} orders ({per_order:.2f} each)")
    assert per_order <= MAX_ACTIONS_PER_ORDER

    # Each order page shows the parcel shipped, with its tracking link.
    for shipment in Shipment.objects.filter(pick_list__number=number).select_related(
        "method__carrier"
    ):
        assert shipment.status == ShipmentStatus.SHIPPED
        page.goto(f"/orders/{shipment.order.number}/")
        expect(page.get_by_test_id("order-status")).to_contain_text("Shipped")
        tracking = page.locator("#order-shipments").get_by_role(
            "link", name=shipment.tracking_number
        )
        expect(tracking).to_have_attribute("href", shipment.tracking_url)
    assert set(Order.objects.values_list("status", flat=True)) == {"shipped"}


def test_a_wrong_item_is_refused_loudly_and_the_field_is_ready_again(
    page, login, fulfillment_user, orders
):
    order = orders[0]
    pick_list_create(warehouse=Warehouse.objects.get(code="EAST"), orders=[order])
    login(fulfillment_user.username, DEFAULT_PASSWORD)
    page.goto("/shipping/pack/")
    htmx_ready(page)
    worker = Worker(page)
    worker.scan(order.number)
    expect(page.locator("#pack-parcel-title")).to_contain_text(f"for {order.number}")
    worker.scan("0000000000000")
    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("Refused")
    expect(refused).to_contain_text("“0000000000000” is not in shipment")
    expect(page.locator("[data-testid=packed-MUG]")).to_have_text("0 of 1")
    scan_field = page.get_by_label("Scan an item, an order or a pick list")
    expect(scan_field).to_have_value("")
    expect(scan_field).to_be_focused()
    assert Shipment.objects.get(order=order).lines.get().quantity_packed == 0
