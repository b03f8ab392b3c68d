"""Refunding from the order page in a real browser: the amount is checked while it is typed, the
refund updates the balance, the badges and the timeline in place, and a gateway answer that
comes later shows up by itself."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderEvent
from payments.models import PaymentTransaction
from payments.services import payment_refund
from tests.e2e.browser import htmx_ready
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import run_owed, stocked_product
from tests.payments.screens import captured_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(settings):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    stocked_product("MUG", price="10.00")
    order = captured_order(channel=SalesChannelFactory(code="web", name="Web store"))
    assert (order.payment_status, order.balance_due) == ("paid", 0)
    return order


def test_support_refunds_part_of_a_captured_payment_in_place(page, login, support_user, order):
    login(support_user.username, DEFAULT_PASSWORD)
    page.goto(f"/orders/{order.number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(order.number)
    htmx_ready(page)
    page.evaluate("window.__marker = 'same page'")

    payments = page.locator("#payments")
    expect(payments.get_by_test_id("balance-due")).to_have_text("0.00 USD")
    expect(payments.get_by_test_id("refundable")).to_contain_text("Your limit is 10.00 USD")

    amount = page.get_by_label("Refund amount")
    check = page.locator("#payment_refund_amount_check")
    amount.fill("25")
    expect(check).to_contain_text("At most 20.00 USD can be refunded.")
    expect(check).to_contain_text("Above your limit of 10.00 USD: a manager must refund this.")
    amount.fill("7.50")
    expect(check).to_have_text("7.50 USD can be refunded.")
    assert not PaymentTransaction.objects.filter(kind="refund").exists()

    page.get_by_label("Refund reason").fill("Mug arrived scratched")
    page.get_by_role("button", name="Refund", exact=True).click()

    expect(payments.get_by_test_id("balance-due")).to_have_text("7.50 USD")
    expect(payments.get_by_test_id("amount-paid")).to_have_text("12.50 USD")
    expect(page.get_by_test_id("order-status")).to_contain_text("Payment: partially refunded")
    newest = page.locator("#timeline .event").first
    expect(newest).to_contain_text("Refunded 7.50 USD")
    expect(newest).to_contain_text("Mug arrived scratched")
    expect(newest).to_contain_text(support_user.get_full_name())
    expect(newest.locator(".badge")).to_have_text("Payment")
    expect(page.get_by_role("status").filter(has_text="Refunded 7.50 USD.")).to_be_visible()
    expect(page.get_by_label("Refund amount")).to_have_value("")
    assert page.evaluate("window.__marker") == "same page"
    # Gateway references and reasons wrap inside the panel: the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    order = Order.objects.get(pk=order.pk)
    assert (order.payment_status, order.balance_due) == ("partially_refunded", Decimal("7.50"))
    refund = PaymentTransaction.objects.get(kind="refund")
    assert (refund.amount, refund.status, refund.requested_by) == (
        Decimal("7.50"),
        "succeeded",
        support_user,
    )
    assert OrderEvent.objects.filter(order=order, type="payment_refunded").count() == 1


def test_the_panel_follows_a_refund_the_gateway_answers_later(
    page, login, manager_user, order, monkeypatch
):
    # No worker picks the refund up: it stays owed until the test makes the call below.
    monkeypatch.setattr("payments.services.common.enqueue_transaction", lambda pk: None)
    payment_refund(order=order, amount="4.00", reason="late answer", actor=manager_user)
    login(manager_user.username, DEFAULT_PASSWORD)
    page.goto(f"/orders/{order.number}/")
    htmx_ready(page)
    page.evaluate("window.__marker = 'same page'")
    payments = page.locator("#payments")
    expect(payments).to_contain_text("Waiting for the payment gateway to answer")
    expect(payments.locator(".badge.txn-requested")).to_have_text("Requested")
    expect(page.get_by_test_id("order-status")).to_contain_text("Payment: paid")

    assert run_owed() == 1

    # Within a poll or two the whole order shows the answer, and the polling stops.
    expect(page.get_by_test_id("order-status")).to_contain_text("Payment: partially refunded")
    expect(payments.get_by_test_id("balance-due")).to_have_text("4.00 USD")
    expect(payments).not_to_contain_text("Waiting for the payment gateway")
    expect(page.locator("#timeline .event").first).to_contain_text("Refunded 4.00 USD")
    expect(page.locator("[hx-trigger='every 2s']")).to_have_count(0)
    assert page.evaluate("window.__marker") == "same page"
