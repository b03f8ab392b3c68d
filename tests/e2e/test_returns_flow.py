"""A return from the customer's call to the refund, in a real browser.

Support types the customer's email into the header search, which opens the customer's page; a
"Return" button beside the tee opens the order's return form with the tee chosen; a reason and
"Start return" open the RMA, which support then approves with a return label. The warehouse scans
the RMA at the receiving desk and receives the tee as sellable (it is back in stock). Support
refunds the return from its page; the order page shows the return refunded and the refund in the
payments panel.

The test counts what support does from the email to the started return — every click and
choice, and typing the email with its Enter — and holds it to at most four.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import StockLevel
from payments.models import PaymentTransaction
from returns.models import ReturnRequest, ReturnStatus
from tests.e2e.browser import htmx_ready
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory
from tests.returns.factories import shipped_order
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_SUPPORT_ACTIONS = 4


@pytest.fixture
def order(settings, tmp_path, fulfillment_user):
    """Lin's shipped and paid order: 2 mugs at 10.00 and a tee at 20.00 (40.00 captured)."""
    settings.MEDIA_ROOT = tmp_path  # where the return label is stored
    east = WarehouseFactory(
        code="EAST",
        name="East coast",
        priority=1,
        country="US",
        city="Newark",
        postal_code="07114",
        address_line1="1 Port Way",
    )
    for sku, name, price in (("MUG", "Mug", "10.00"), ("TEE", "Tee black M", "20.00")):
        give_stock(ProductFactory(sku=sku, name=name, price=Decimal(price)), east, 10)
    ground = ShippingMethodFactory(carrier=CarrierFactory(code="sbx"), code="ground")
    ShippingRateFactory(method=ground, up_to_grams=20_000, base=Decimal("5.00"))
    order = shipped_order(
        SalesChannelFactory(code="web", name="Web store"),
        [("MUG", 2, "10.00"), ("TEE", 1, "20.00")],
        packer=fulfillment_user,
        email="lin.wu@example.com",
        first_name="Lin",
        last_name="Wu",
    )
    assert (order.status, order.amount_paid) == ("shipped", Decimal("40.00"))
    return order


class Person:
    """The browser, counting what the person does."""

    def __init__(self, page):
        self.page = page
        self.actions = 0

    def click(self, locator) -> None:
        self.actions += 1
        locator.click()

    def choose(self, locator, value: str) -> None:
        self.actions += 1
        locator.select_option(value)

    def type_and_enter(self, locator, text: str) -> None:
        """Type into a field, then press Enter (a scanner does the same)."""
        self.actions += 1
        locator.fill(text)
        locator.press("Enter")


def on_hand(sku: str) -> int:
    return StockLevel.objects.get(product__sku=sku, warehouse__code="EAST").on_hand


def test_support_starts_a_return_from_the_email_and_it_is_received_and_refunded(
    page, browser, live_server, login, support_user, fulfillment_user, order
):
    login(support_user.username, DEFAULT_PASSWORD)
    htmx_ready(page)
    support = Person(page)

    # The customer's email into the header search: their page opens.
    support.type_and_enter(page.get_by_role("search").get_by_label("Search"), "lin.wu@example.com")
    page.wait_for_url(f"**/orders/customers/{order.customer_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lin Wu")
    # "Return" beside the tee: the order's return form, the tee chosen.
    support.click(page.get_by_role("link", name=f"Return TEE from {order.number}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(order.number)
    htmx_ready(page)
    expect(page.get_by_label("Units of TEE to return")).to_have_value("1")
    expect(page.get_by_label("Units of MUG to return")).to_have_value("0")
    expect(page.get_by_label("Why TEE comes back")).to_be_focused()
    support.choose(page.get_by_label("Why TEE comes back"), "defective")
    support.click(page.get_by_role("button", name="Start return"))

    returns = page.locator("#returns .order-return")
    expect(returns).to_have_count(1)
    rma = ReturnRequest.objects.get()
    expect(returns.first).to_contain_text(f"{rma.number} Requested Refund 1 × TEE")
    expect(page.get_by_role("status").filter(has_text=rma.number)).to_contain_text(
        f"Return {rma.number} opened for a refund: 1 × TEE."
    )
    print(f"\nsupport actions from the email to the started return: {support.actions}")
    assert support.actions <= MAX_SUPPORT_ACTIONS

    # Approve it with a return label.
    returns.first.get_by_role("link", name=rma.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(rma.number)
    htmx_ready(page)
    page.get_by_label("Attach a return label").check()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("return-status")).to_contain_text("Approved")
    label = page.get_by_test_id("return-label")
    expect(label.get_by_role("link", name="Download label (PDF)")).to_be_visible()
    pdf = page.request.get(f"/returns/{rma.number}/label.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # The warehouse receives the parcel: scan the RMA, the tee is expected, sellable.
    before = on_hand("TEE")
    warehouse = browser.new_context(base_url=live_server.url)
    desk = warehouse.new_page()
    desk.goto("/login/")
    desk.get_by_label("Username").fill(fulfillment_user.username)
    desk.get_by_label("Password").fill(DEFAULT_PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url("**/")
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Receive returns").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Receive returns")
    htmx_ready(desk)
    desk.evaluate("window.__marker = 'same page'")
    scan_field = desk.get_by_label("Scan or type the RMA number")
    expect(scan_field).to_be_focused()
    desk.keyboard.type(rma.number)
    desk.keyboard.press("Enter")
    expect(desk.get_by_label("Units of TEE received")).to_have_value("1")
    expect(desk.get_by_label("Condition of TEE")).to_have_value("sellable")
    desk.get_by_role("button", name=f"Receive {rma.number}").click()
    expect(desk.get_by_role("status")).to_contain_text(
        f"{rma.number}: received 1 unit — 1 × TEE sellable (restocked)."
    )
    # Ready for the next parcel, without a reload.
    expect(desk.get_by_test_id("receive-idle")).to_be_visible()
    expect(scan_field).to_have_value("")
    expect(scan_field).to_be_focused()
    assert desk.evaluate("window.__marker") == "same page"
    warehouse.close()
    assert on_hand("TEE") == before + 1

    # Support refunds it: the quote is the tee's price, the amount starts there.
    page.reload()
    htmx_ready(page)
    expect(page.get_by_test_id("return-status")).to_contain_text("Received")
    expect(page.get_by_test_id("refund-total")).to_have_text("20.00 USD")
    expect(page.get_by_label("Refund amount")).to_have_value("20.00")
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.get_by_test_id("return-status")).to_contain_text("Refunded")
    expect(page.get_by_test_id("refunded")).to_contain_text("20.00 USD")

    # The order page shows the return refunded and the refund in the payments panel.
    page.get_by_role("link", name=order.number).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(order.number)
    row = page.locator("#returns .order-return")
    expect(row).to_contain_text("Refunded")
    expect(row).to_contain_text("Refunded 20.00 USD")
    refund = page.locator("#payments .txn-refund")
    expect(refund).to_have_count(1)
    expect(refund).to_contain_text(f"Return {rma.number}")
    expect(refund).to_contain_text("20.00")
    expect(page.get_by_test_id("amount-paid")).to_have_text("20.00 USD")
    expect(page.get_by_test_id("order-status")).to_contain_text(re.compile("partially refunded"))

    rma.refresh_from_db()
    assert (rma.status, rma.refund_amount) == (ReturnStatus.REFUNDED, Decimal("20.00"))
    assert PaymentTransaction.objects.get(kind="refund").status == "succeeded"
