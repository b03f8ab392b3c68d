"""Bulk actions in the orders queue, in a real browser: every order matching the filters beyond
the page, one summary for the lot, and banners that always describe the last action."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderStatus
from orders.services import order_cancel
from tests.e2e.browser import htmx_ready, htmx_settled
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def channel():
    give_stock(ProductFactory(sku="TEE"), WarehouseFactory(code="EAST"), 100)
    return SalesChannelFactory(code="web", name="Web store")


def test_every_matching_order_is_held_and_one_summary_says_which_could_not_be(
    page, login, support_user, channel
):
    orders = [capture(channel, [("TEE", 1)], email=f"q{i}@example.com") for i in range(14)]
    cancelled = [orders[1], orders[12]]
    for order in cancelled:
        order_cancel(order=order, reason="duplicate", actor=None)
    capture(SalesChannelFactory(code="pos"), [("TEE", 1)])  # another channel: not matched
    login(support_user.username, DEFAULT_PASSWORD)
    page.goto("/orders/?channel=web&per_page=10")
    htmx_ready(page)
    expect(page.locator(".queue-table tbody tr")).to_have_count(10)

    page.get_by_label("All 14 orders matching these filters").check()
    for box in page.locator("input[name=orders]").all():
        expect(box).to_be_checked()
    bulk_bar = page.get_by_role("group", name="With the selected orders")
    bulk_bar.get_by_label("Hold reason").select_option("fraud_review")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    bulk_bar.get_by_role("button", name="Hold", exact=True).click()

    flashes = page.locator("#messages .flash")
    expect(flashes).to_have_count(1)
    expect(flashes).to_contain_text("Held 12 of 14; 2 could not be held.")
    assert questions == ["Hold all 14 orders matching these filters?"]
    failures = flashes.locator("li")
    expect(failures.first).not_to_be_visible()
    flashes.get_by_text("Held 12 of 14").click()
    expect(failures).to_have_text(
        [f"Order {order.number} is cancelled: it cannot be put on hold now." for order in cancelled]
    )
    assert Order.objects.filter(status=OrderStatus.ON_HOLD).count() == 12


def test_a_refused_action_keeps_the_ticks_and_replaces_the_last_success_banner(
    page, login, support_user, channel
):
    first, second, _ = (capture(channel, [("TEE", 1)]) for _ in range(3))
    login(support_user.username, DEFAULT_PASSWORD)
    page.goto("/orders/?queue=ready")
    htmx_ready(page)
    bulk_bar = page.get_by_role("group", name="With the selected orders")
    page.get_by_label(f"Select {first.number}").check()
    bulk_bar.get_by_label("Hold reason").select_option("manual")
    bulk_bar.get_by_role("button", name="Hold", exact=True).click()
    expect(page.locator("#messages")).to_have_text("Held 1 of 1.")

    # No reason chosen: refused, the tick is still there, and only the refusal is shown.
    page.get_by_label(f"Select {second.number}").check()
    bulk_bar.get_by_label("Hold note").fill("Ask the warehouse first")
    bulk_bar.get_by_role("button", name="Hold", exact=True).click()
    expect(page.locator("#messages")).to_have_text("Choose why the orders are held.")
    expect(page.get_by_label(f"Select {second.number}")).to_be_checked()
    expect(bulk_bar.get_by_label("Hold note")).to_have_value("Ask the warehouse first")
    assert Order.objects.get(pk=second.pk).status == OrderStatus.READY


def test_a_form_refused_on_the_order_page_clears_the_banner_above_it(
    page, login, support_user, channel
):
    order = capture(channel, [("TEE", 1)])
    login(support_user.username, DEFAULT_PASSWORD)
    page.goto(f"/orders/{order.number}/")
    htmx_ready(page)
    page.get_by_label("Internal note").fill("Customer called.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#messages")).to_have_text("Note added.")
    page.get_by_role("button", name="Add note").click()  # empty: refused beside the field
    htmx_settled(page)
    expect(page.locator("#timeline .error")).to_be_visible()
    expect(page.locator("#messages .flash")).to_have_count(0)
    expect(page.locator("#messages")).not_to_contain_text(re.compile("added"))
