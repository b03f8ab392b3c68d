"""The orders back office in a real browser: search, notes, queues, releases, bulk holds."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderEvent, OrderStatus
from orders.services import order_hold
from tests.e2e.browser import htmx_ready
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def channel():
    give_stock(
        ProductFactory(sku="TEE-BLK-M", name="Tee black M"), WarehouseFactory(code="EAST"), 50
    )
    return SalesChannelFactory(code="web", name="Web store")


def test_support_finds_an_order_by_email_and_adds_a_note_in_place(
    page, login, support_user, channel
):
    capture(channel, [("TEE-BLK-M", 1)], email="someone@example.com")
    order = capture(channel, [("TEE-BLK-M", 2)], email="lin.wu@example.com")
    login(support_user.username, DEFAULT_PASSWORD)

    page.get_by_role("search").get_by_label("Search").fill("lin.wu@example.com")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    # An exact email opens the customer's page, which lists their orders.
    page.wait_for_url(f"**/orders/customers/{order.customer_id}/")
    page.locator(".customer-orders").get_by_role("link", name=order.number).click()
    page.wait_for_url(f"**/orders/{order.number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(order.number)

    htmx_ready(page)

    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Internal note").fill("Customer asked to leave it with a neighbour.")
    page.get_by_role("button", name="Add note").click()
    timeline = page.locator("#timeline")
    expect(timeline.locator(".event").first).to_contain_text(
        "Customer asked to leave it with a neighbour."
    )
    expect(timeline.locator(".event").first).to_contain_text(support_user.get_full_name())
    expect(page.get_by_role("status")).to_contain_text("Note added.")
    expect(page.get_by_label("Internal note")).to_have_value("")
    assert page.evaluate("window.__marker") == "same page"
    assert OrderEvent.objects.get(order=order, type="note").actor == support_user


def test_held_order_is_released_from_the_needs_attention_queue(page, login, support_user, channel):
    capture(channel, [("TEE-BLK-M", 1)])
    held = capture(channel, [("TEE-BLK-M", 1)], email="held@example.com")
    order_hold(order=held, reason="fraud_review", note="Big first order", actor=None)
    login(support_user.username, DEFAULT_PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Orders", exact=True
    ).click()
    page.get_by_role("navigation", name="Queues").get_by_role(
        "link", name=re.compile("Needs attention")
    ).click()
    expect(page).to_have_url(re.compile(r"queue=attention"))
    rows = page.locator(".queue-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Fraud review")
    page.screenshot(path="/tmp/orders-queue.png", full_page=True)
    rows.first.get_by_role("link", name=held.number).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(held.number)
    htmx_ready(page)
    page.screenshot(path="/tmp/orders-order-page.png", full_page=True)
    page.get_by_role("button", name="Release the fraud review hold").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Ready to fulfill")
    expect(page.get_by_role("status")).to_contain_text("released")
    assert Order.objects.get(pk=held.pk).status == OrderStatus.READY


def test_queue_filters_push_the_url_so_reload_and_back_work(page, login, support_user, channel):
    capture(channel, [("TEE-BLK-M", 1)], email="ready@example.com")
    held = capture(channel, [("TEE-BLK-M", 1)], email="held@example.com")
    order_hold(order=held, reason="manual", actor=None)
    login(support_user.username, DEFAULT_PASSWORD)
    page.goto("/orders/")
    htmx_ready(page)
    page.evaluate("window.__marker = 'same page'")
    filters = page.get_by_test_id("filters-toggle")
    expect(filters).to_have_text("Filters")
    filters.click()
    page.get_by_label("Status").select_option("on_hold")
    expect(page).to_have_url(re.compile(r"status=on_hold"))
    expect(page.locator(".queue-table tbody tr")).to_have_count(1)
    assert page.evaluate("window.__marker") == "same page"
    # The panel stays open across the swap its own change caused, and counts what is active.
    expect(page.get_by_label("Status")).to_be_visible()
    expect(filters).to_have_text(re.compile(r"^Filters\s*1 active$"))

    page.reload()
    expect(page.get_by_label("Status")).to_have_value("on_hold")
    expect(page.locator(".queue-table tbody tr")).to_have_count(1)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/orders/$"))
    expect(page.locator(".queue-table tbody tr")).to_have_count(2)


def test_fulfillment_holds_two_orders_in_bulk(page, login, fulfillment_user, channel):
    orders = [capture(channel, [("TEE-BLK-M", 1)], email=f"b{i}@example.com") for i in range(3)]
    login(fulfillment_user.username, DEFAULT_PASSWORD)
    page.goto("/orders/?queue=ready")
    htmx_ready(page)
    boxes = page.locator("input[name=orders]")
    page.get_by_label("Select every order on this page").check()
    for index in range(3):
        expect(boxes.nth(index)).to_be_checked()
    page.get_by_label("Select every order on this page").uncheck()
    for index in range(3):
        expect(boxes.nth(index)).not_to_be_checked()
    page.get_by_label(f"Select {orders[0].number}").check()
    page.get_by_label(f"Select {orders[2].number}").check()
    bulk_bar = page.get_by_role("group", name="With the selected orders")
    bulk_bar.get_by_label("Hold reason").select_option("customer_request")
    bulk_bar.get_by_role("button", name="Hold", exact=True).click()
    messages = page.locator("#messages")
    expect(messages).to_have_text("Held 2 of 2.")
    expect(page.locator(".queue-table tbody tr")).to_have_count(1)
    statuses = [Order.objects.get(pk=order.pk).status for order in orders]
    assert statuses == [OrderStatus.ON_HOLD, OrderStatus.READY, OrderStatus.ON_HOLD]
