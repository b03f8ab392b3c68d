"""A manager reads the dashboard in a real browser and changes its period.

Two orders came in yesterday and three ten days ago: the last 7 days count two, the last 30
days five. Choosing "Last 30 days" in the period selector swaps the board in place (htmx), the
address bar follows (so the view can be shared) and the board's refresh keeps the new period.
A pipeline number opens the order queue with exactly its orders.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.dashboard.factories import place
from tests.e2e.browser import htmx_ready, htmx_settled
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def orders():
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 100)
    web = SalesChannelFactory(code="web", name="Web store")
    now = timezone.now()
    recent = [place(web, [("MUG", 1, "10.00")], now - timedelta(days=1)) for _ in range(2)]
    older = [place(web, [("MUG", 2, "10.00")], now - timedelta(days=10)) for _ in range(3)]
    return recent, older


def test_a_manager_changes_the_period_and_the_figures_follow(page, login, manager_user, orders):
    recent, older = orders
    login(manager_user.username, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard/")
    htmx_ready(page)
    orders_figure = page.locator('[data-kpi="orders"] .kpi-value')
    expect(orders_figure).to_have_text("2")
    expect(page.locator('[data-kpi="units"] .kpi-value')).to_have_text("2")
    expect(page.get_by_test_id("board-period")).to_have_text("Last 7 days")
    expect(page.get_by_test_id("as-of")).to_be_visible()

    page.get_by_label("Period", exact=True).select_option("30d")
    expect(orders_figure).to_have_text("5")
    expect(page.locator('[data-kpi="units"] .kpi-value')).to_have_text("8")
    expect(page.get_by_test_id("board-period")).to_have_text("Last 30 days")
    expect(page).to_have_url(re.compile(r"/dashboard/\?period=30d$"))
    # The board asks for itself again with the period now shown.
    expect(page.locator("#board")).to_have_attribute("hx-get", "/dashboard/?period=30d")
    expect(page.locator("#board")).to_have_attribute("hx-trigger", "every 30s")

    # Custom dates, typed as YYYY-MM-DD: leaving a field switches the selector to "Custom dates".
    today = timezone.localdate()
    page.get_by_label("From", exact=True).fill((today - timedelta(days=11)).isoformat())
    page.get_by_label("From", exact=True).press("Tab")
    htmx_settled(page)
    page.get_by_label("To", exact=True).fill((today - timedelta(days=9)).isoformat())
    page.get_by_label("To", exact=True).press("Tab")
    expect(orders_figure).to_have_text("3")
    expect(page.get_by_label("Period", exact=True)).to_have_value("custom")
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d$"))

    # A reload of the shared URL shows the same view.
    page.reload()
    expect(orders_figure).to_have_text("3")

    # The five open orders: three over three days old, two between one and three days.
    cell = page.locator('[data-cell="ready:over_3d"] a')
    expect(cell).to_have_text("3")
    cell.click()
    page.wait_for_url("**/orders/?*")
    for order in older:
        expect(page.get_by_role("link", name=order.number, exact=True)).to_be_visible()
    for order in recent:
        expect(page.get_by_role("link", name=order.number, exact=True)).to_have_count(0)
