"""The payments panel's actions: record money received, refund (and the check of the amount
while it is typed), retry. Each works, swaps the whole order in place, and a refusal keeps the
form with the reason beside the field and changes nothing."""

import re
from decimal import Decimal

import pytest

from orders.models import OrderEvent
from payments.models import Payment, PaymentStatus, PaymentTransaction
from tests.payments.factories import order_paid_by, run_owed
from tests.payments.screens import (
    HTMX,
    captured_order,
    declined_order,
    fresh,
    order_url,
    payments_url,
)

pytestmark = pytest.mark.django_db
T = PaymentTransaction


@pytest.fixture
def support(client, support_user, settings):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    client.force_login(support_user)
    return client


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


def field_errors(html: str, field_id: str) -> list[str]:
    """The errors shown beside one field of the page."""
    start = html.index(f'id="{field_id}"')
    end = html.index("</div>", start)
    return re.findall(r'<small class="error" role="alert">(.*?)</small>', html[start:end])


def flashes(html: str) -> list[str]:
    return re.findall(r'<div class="flash flash-\w+" role="\w+">(.*?)</div>', html)


# --- recording money received ----------------------------------------------------------------


def test_recording_a_payment_pays_the_order_and_swaps_it_in_place(
    support, stock, web, support_user
):
    order = order_paid_by({})
    assert fresh(order).balance_due == Decimal("20.00")
    response = support.post(
        payments_url("record", order),
        {"amount": "20.00", "method": "bank_transfer", "reference": "BANK-77"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == (
        "#order",
        "outerHTML",
    )
    order = fresh(order)
    assert (order.payment_status, order.amount_paid, order.balance_due) == ("paid", 20, 0)
    payment = Payment.objects.get(order=order)
    assert (payment.gateway, payment.method, payment.reference, payment.recorded_by) == (
        "manual",
        "bank_transfer",
        "BANK-77",
        support_user,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order"')
    assert "Payment: paid" in html
    assert '<dd class="grand" data-testid="balance-due">0.00 USD</dd>' in html
    assert "Received 20.00 USD by bank transfer" in html  # the timeline entry
    assert "Recorded 20.00 USD received by bank transfer." in flashes(html)


def test_a_deposit_leaves_a_balance_due(support, stock, web):
    order = order_paid_by({})
    response = support.post(
        payments_url("record", order), {"amount": "5.00", "method": "cash"}, headers=HTMX
    )
    assert '<dd class="grand" data-testid="balance-due">15.00 USD</dd>' in (
        response.content.decode()
    )
    assert fresh(order).payment_status == "partially_paid"


def test_recording_without_htmx_redirects_to_the_order(support, stock, web):
    order = order_paid_by({})
    response = support.post(
        payments_url("record", order), {"amount": "20.00", "method": "card_terminal"}
    )
    assert (response.status_code, response["Location"]) == (302, order_url(order))
    assert fresh(order).balance_due == 0
    assert Payment.objects.get(order=order).method == "card_terminal"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"amount": "0", "method": "cash"}, "payment_record_amount", "greater than or equal to"),
        ({"amount": "abc", "method": "cash"}, "payment_record_amount", "Enter a number."),
        ({"amount": "5.00", "method": "cheque"}, "payment_record_method", "Select a valid"),
    ],
)
def test_bad_payment_input_is_shown_beside_the_field_and_records_nothing(
    support, stock, web, data, field, error
):
    order = order_paid_by({})
    html = support.post(payments_url("record", order), data, headers=HTMX).content.decode()
    assert any(error in message for message in field_errors(html, field)), html
    assert not Payment.objects.filter(order=order).exists()


# --- refunds ---------------------------------------------------------------------------------


def test_a_refund_within_the_limit_shows_the_new_balance_and_the_timeline_entry(
    support, stock, web, support_user, django_capture_on_commit_callbacks
):
    order = captured_order()
    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(
            payments_url("refund", order),
            {"amount": "7.50", "reason": "scratched mug"},
            headers=HTMX,
        )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#order"
    # The sandbox answered after commit; the order as it is now:
    order = fresh(order)
    assert (order.payment_status, order.amount_paid, order.balance_due) == (
        "partially_refunded",
        Decimal("12.50"),
        Decimal("7.50"),
    )
    refund = T.objects.get(kind=T.Kind.REFUND)
    assert (refund.amount, refund.status, refund.requested_by) == (
        Decimal("7.50"),
        T.Status.SUCCEEDED,
        support_user,
    )
    # The worker had not answered when the page was made (it ran after the response here).
    assert "Refund of 7.50 USD requested; the gateway confirms it in a moment." in flashes(
        response.content.decode()
    )
    page = support.get(order_url(order)).content.decode()
    assert '<dd class="grand" data-testid="balance-due">7.50 USD</dd>' in page
    assert "Payment: partially refunded" in page
    entry = OrderEvent.objects.get(order=order, type="payment_refunded")
    assert entry.actor == support_user
    assert f'<p class="event-message">{entry.message}</p>' in page
    assert "Refunded 7.50 USD" in entry.message and "scratched mug" in entry.message


def test_the_refund_response_shows_the_refund_being_made(support, stock, web):
    order = captured_order()
    html = support.post(
        payments_url("refund", order), {"amount": "7.50", "reason": "dent"}, headers=HTMX
    ).content.decode()
    # Still owed here (the test never commits): shown, counted, and checked on again.
    assert "Refund of 7.50 USD to card (Sandbox card processor) requested: dent." in html
    assert "Up to <strong>12.50 USD</strong> can be refunded." in html
    assert 'hx-trigger="every 2s"' in html


def test_a_refund_above_the_support_limit_is_refused_beside_the_field(support, stock, web):
    order = captured_order()
    response = support.post(
        payments_url("refund", order), {"amount": "10.01", "reason": "broken"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "payment_refund_amount") == ["Your limit is 10.00 per refund."]
    assert "Refunds above 10.00 need a manager: ask one to refund 10.01 USD." in flashes(html)
    # The form keeps what was typed.
    assert 'value="10.01"' in html and 'value="broken"' in html
    assert not T.objects.filter(kind=T.Kind.REFUND).exists()
    order = fresh(order)
    assert (order.payment_status, order.amount_paid, order.balance_due) == ("paid", 20, 0)
    assert not OrderEvent.objects.filter(order=order, type__startswith="payment_refund").exists()


def test_a_manager_may_refund_above_the_support_limit(manager, stock, web, settings):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    order = captured_order()
    manager.post(payments_url("refund", order), {"amount": "15.00", "reason": "broken"})
    run_owed()
    assert Payment.objects.get(order=order).amount_refunded == Decimal("15.00")


def test_a_refund_above_what_is_refundable_is_refused(manager, stock, web):
    order = captured_order("12.00")
    html = manager.post(
        payments_url("refund", order), {"amount": "12.01", "reason": "all"}, headers=HTMX
    ).content.decode()
    assert field_errors(html, "payment_refund_amount") == ["At most 12.00."]
    assert (
        "At most 12.00 USD can be refunded: that is what was captured and not refunded yet."
        in flashes(html)
    )
    assert not T.objects.filter(kind=T.Kind.REFUND).exists()


def test_a_refused_refund_without_htmx_shows_the_whole_page_with_the_form(support, stock, web):
    order = captured_order()
    response = support.post(payments_url("refund", order), {"amount": "50", "reason": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert field_errors(html, "payment_refund_amount") == ["Your limit is 10.00 per refund."]
    assert not T.objects.filter(kind=T.Kind.REFUND).exists()


def test_a_refund_needs_a_reason(support, stock, web):
    order = captured_order()
    html = support.post(
        payments_url("refund", order), {"amount": "1.00", "reason": ""}, headers=HTMX
    ).content.decode()
    assert "This field is required." in field_errors(html, "payment_refund_reason")
    assert not T.objects.filter(kind=T.Kind.REFUND).exists()


# --- checking the refund amount as it is typed -----------------------------------------------


def check(client, order, amount: str) -> str:
    response = client.post(payments_url("refund_check", order), {"amount": amount}, headers=HTMX)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_amount_check_says_what_is_refundable_and_the_limit(support, stock, web):
    order = captured_order("8.00")
    assert check(support, order, "5") == '<small class="check-ok">5.00 USD can be refunded.</small>'
    assert check(support, order, "9.00") == (
        '<small class="error">At most 8.00 USD can be refunded.</small>'
    )
    order = captured_order()
    assert check(support, order, "12.00") == (
        '<small class="error">Above your limit of 10.00 USD: a manager must refund this.</small>'
    )
    assert check(support, order, "25") == (
        '<small class="error">At most 20.00 USD can be refunded.</small>'
        '<small class="error">Above your limit of 10.00 USD: a manager must refund this.</small>'
    )


def test_the_amount_check_knows_managers_have_no_limit(manager, stock, web):
    order = captured_order()
    assert "can be refunded." in check(manager, order, "20.00")
    assert "limit" not in check(manager, order, "20.00")


def test_the_amount_check_says_nothing_about_an_empty_field_and_explains_nonsense(
    support, stock, web
):
    order = captured_order()
    assert check(support, order, "") == ""
    assert check(support, order, "ten") == '<small class="error">Enter a number.</small>'


# --- retry -----------------------------------------------------------------------------------


def test_retrying_a_failed_payment_from_the_order_page(support, stock, web, support_user):
    order = declined_order()
    payment = Payment.objects.get(order=order)
    response = support.post(payments_url("retry", order, payment.pk), headers=HTMX)
    assert response.headers["HX-Retarget"] == "#order"
    payment.refresh_from_db()
    assert (payment.status, payment.failed_at, payment.failure_reason) == ("pending", None, "")
    retried = T.objects.filter(payment=payment).order_by("id").last()
    assert (retried.kind, retried.status, retried.requested_by) == (
        T.Kind.AUTHORIZE,
        T.Status.REQUESTED,
        support_user,
    )
    html = response.content.decode()
    assert "Retrying the failed payment of 20.00 USD." in flashes(html)
    assert "Retrying the failed authorize of 20.00 USD." in html  # the timeline entry


def test_retrying_a_payment_that_did_not_fail_is_refused(support, stock, web):
    order = captured_order()
    payment = Payment.objects.get(order=order)
    response = support.post(payments_url("retry", order, payment.pk), follow=True)
    assert "This payment is captured, not failed: there is nothing to retry." in flashes(
        response.content.decode()
    )
    assert payment.transactions.count() == 2


def test_a_payment_of_another_order_is_not_found(support, stock, web):
    order, other = captured_order(), declined_order()
    payment = Payment.objects.get(order=other)
    assert support.post(payments_url("retry", order, payment.pk)).status_code == 404
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.FAILED
