"""Pages keep their width with real data, in a real browser at 1,440 × 900.

Names of 100 characters and notes of 400 without a space (a pasted reference, a marketplace's
id) once pushed the order page to 4,749 px and the queue's table to 1,771 px. Every page an
order reaches is loaded with such data and must not be wider than the window; the queue shows
its Ship by column whole.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.services import order_hold, order_note_add
from returns.services import ReturnLineData, return_create
from shipping.models import Shipment
from tests.e2e.browser import htmx_ready
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, address, capture
from tests.returns.factories import shipped_order
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1440, "height": 900}


def unbroken(length: int, start: str = "X") -> str:
    """`length` characters with no space or hyphen a line could break at."""
    return (start + "abcdefghij" * (length // 10 + 1))[:length]


@pytest.fixture
def wide_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def long_data(settings, tmp_path, fulfillment_user, manager_user):
    """A shipped order and a held one whose every text is as long as the fields allow."""
    settings.MEDIA_ROOT = tmp_path
    east = WarehouseFactory(code="EAST", name=unbroken(100, "W"), country="US", priority=1)
    give_stock(ProductFactory(sku="LONG-NAME-1", name=unbroken(100, "P"), price=10), east, 50)
    carrier = CarrierFactory(code="sbx", name="Sandbox Parcel")
    ground = ShippingMethodFactory(carrier=carrier, code="ground", name="Ground")
    ShippingRateFactory(method=ground, up_to_grams=20_000, base=Decimal("5.00"))
    channel = SalesChannelFactory(code="long", name=unbroken(100, "C"))
    person = {
        "email": f"{unbroken(60, 'e').lower()}@{unbroken(60, 'd').lower()}.example.com",
        "first_name": unbroken(100, "F"),
        "last_name": unbroken(100, "L"),
        "shipping_address": address(
            name=unbroken(200, "N"),
            company=unbroken(200, "Q"),
            line1=unbroken(200, "A"),
            line2=unbroken(200, "B"),
            city=unbroken(100, "T"),
            region=unbroken(100, "R"),
        ),
    }
    shipped = shipped_order(
        channel,
        [("LONG-NAME-1", 2, "10.00")],
        packer=fulfillment_user,
        external_id=unbroken(100, "X"),
        **person,
    )
    order_note_add(order=shipped, text=unbroken(400, "M"), actor=manager_user)
    rma = return_create(
        order=shipped,
        lines=[ReturnLineData(sku="LONG-NAME-1", quantity=1, reason="other")],
        resolution="refund",
        note=unbroken(400, "R"),
        actor=manager_user,
    )
    held = capture(channel, [("LONG-NAME-1", 1)], external_id=unbroken(100, "Y"), **person)
    order_hold(order=held, reason="manual", note=unbroken(500, "H"), actor=manager_user)
    order_note_add(order=held, text=unbroken(400, "M"), actor=manager_user)
    return {
        "shipped": shipped,
        "held": held,
        "rma": rma,
        "shipment": Shipment.objects.get(order=shipped),
    }


def sign_in(page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def overflow(page) -> dict:
    """How far the page reaches past the window, and the widest elements that stick out."""
    return page.evaluate(
        """() => {
            const root = document.documentElement;
            const wide = [...document.querySelectorAll("body *")]
                .filter((element) => element.getBoundingClientRect().right > root.clientWidth + 1)
                .slice(0, 5)
                .map((element) => element.tagName + "." + element.className);
            return {scroll: root.scrollWidth, client: root.clientWidth, wide};
        }"""
    )


def too_wide(page, url: str) -> dict | None:
    """What sticks out of the page at `url`, or None when it fits the window."""
    page.goto(url)
    page.wait_for_load_state("load")
    measured = overflow(page)
    return None if measured["scroll"] <= measured["client"] else {url: measured}


def test_long_names_and_notes_never_widen_a_page(wide_page, manager_user, long_data):
    sign_in(wide_page, manager_user)
    shipped, held = long_data["shipped"], long_data["held"]
    pages = [
        f"/orders/{shipped.number}/",
        f"/orders/{held.number}/",
        "/orders/",
        "/orders/?queue=attention",
        f"/orders/customers/{shipped.customer_id}/",
        f"/returns/{long_data['rma'].number}/",
        f"/shipping/shipments/{long_data['shipment'].pk}/",
        "/inventory/products/LONG-NAME-1/",
    ]
    spilled = [found for url in pages if (found := too_wide(wide_page, url))]
    assert not spilled, "\n".join(map(str, spilled))


def test_the_queue_shows_ship_by_whole_and_the_full_text_on_hover(
    wide_page, manager_user, long_data
):
    sign_in(wide_page, manager_user)
    wide_page.goto("/orders/")
    htmx_ready(wide_page)
    table = wide_page.locator(".queue-table")
    ship_by = table.get_by_role("columnheader", name="Ship by")
    expect(ship_by).to_be_visible()
    scroller = wide_page.locator(".table-scroll")
    box, frame = ship_by.bounding_box(), scroller.bounding_box()
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    assert scroller.evaluate("(element) => element.scrollWidth <= element.clientWidth")
    # One line per order: the long customer name is cut short, the whole of it on hover.
    row = table.locator("tbody tr").first
    customer = row.locator(".truncate").first
    assert customer.get_attribute("title").startswith(unbroken(100, "F"))
    heights = row.evaluate("(row) => row.getBoundingClientRect().height")
    line = row.evaluate("(row) => parseFloat(getComputedStyle(row.cells[1]).lineHeight)")
    assert heights < 2.5 * line, (heights, line)
