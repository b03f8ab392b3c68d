"""The payments panel on the order page: what it shows each role, how it keeps itself up to date
while the gateway is working, and that its cost does not grow with the payments it lists."""

import re
from decimal import Decimal

import pytest

from orders.services import order_cancel
from payments.models import Payment, PaymentTransaction
from payments.services import payment_record, payment_refund
from tests.payments.factories import card, order_paid_by, run_owed
from tests.payments.screens import (
    HTMX,
    captured_order,
    declined_order,
    order_url,
    payments_url,
)

pytestmark = pytest.mark.django_db
T = PaymentTransaction


def panel_of(html: str) -> str:
    """The payments panel's markup alone."""
    start = html.index('<section class="card payments-panel" id="payments"')
    return html[start : html.index("</section>", start)]


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr class="txn txn-\w+">.*?</tr>', html, flags=re.S)


def text_of(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def test_each_payment_shows_its_amounts_and_every_gateway_call(client, stock, web, support_user):
    order = captured_order("15.00")
    client.force_login(support_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    payment = Payment.objects.get(order=order)
    authorize, capture = payment.transactions.order_by("id")
    assert "Sandbox card processor · Card" in panel
    assert '<span class="badge payment-partially_captured">Partially captured</span>' in panel
    amounts = text_of(panel[panel.index('<dl class="payment-amounts">') :])
    assert "Amount 20.00 USD Authorized 20.00 Captured 15.00 Refunded 0.00 Voided 0.00" in amounts
    rows = [text_of(row) for row in rows_of(panel)]
    assert len(rows) == 2
    assert rows[0].startswith(f"Authorize 20.00 Succeeded {authorize.gateway_reference} 1 checkout")
    assert rows[1].startswith(
        f"Capture shipment:1 15.00 Succeeded {capture.gateway_reference} 1 system"
    )
    assert f"answered {capture.completed_at:%H:%M:%S}" in rows[1]


def test_paid_amount_and_balance_due_are_shown(client, stock, web, support_user):
    order = captured_order("15.00")
    client.force_login(support_user)
    panel = text_of(panel_of(client.get(order_url(order)).content.decode()))
    assert "Order total 20.00 USD Paid 15.00 USD Balance due 5.00 USD" in panel


def test_more_paid_than_the_order_is_worth_says_refund_owed(client, stock, web, support_user):
    order = order_paid_by({})
    payment_record(order=order, amount="30.00", method="cash", actor=support_user)
    client.force_login(support_user)
    html = client.get(order_url(order)).content.decode()
    panel = text_of(panel_of(html))
    assert "Paid 30.00 USD Refund owed 10.00 USD" in panel
    assert "Balance due" not in panel
    assert "Manual (cash, transfer, COD) · Cash" in panel
    assert "recorded by" in panel


def test_a_failed_payment_shows_why_and_offers_a_retry(client, stock, web, support_user):
    order = declined_order()
    client.force_login(support_user)
    html = client.get(order_url(order)).content.decode()
    panel = panel_of(html)
    assert '<span class="badge payment-failed">Failed</span>' in panel
    assert '<p class="payment-failure">Authorize declined: The card was declined.</p>' in panel
    (row,) = rows_of(panel)
    assert "Declined" in row and "The card was declined." in row
    payment = Payment.objects.get(order=order)
    assert f'action="{payments_url("retry", order, payment.pk)}"' in panel
    assert '<span class="badge payment-failed">Payment: failed</span>' in html


def test_support_sees_what_is_refundable_and_their_limit(
    client, stock, web, support_user, settings
):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    order = captured_order()
    payment_refund(order=order, amount="5.00", reason="dent", actor=support_user)
    client.force_login(support_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    # The refund still being made counts against what is left.
    assert "Up to <strong>15.00 USD</strong> can be refunded." in panel
    assert "Your limit is 10.00 USD per refund; a manager refunds more." in panel
    assert 'hx-post="{}"'.format(payments_url("refund_check", order)) in panel
    assert "Record payment" in panel


def test_managers_have_no_refund_limit(client, stock, web, manager_user):
    order = captured_order()
    client.force_login(manager_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    assert "Up to <strong>20.00 USD</strong> can be refunded." in panel
    assert "Your limit is" not in panel


def test_no_refund_is_offered_when_nothing_was_captured(client, stock, web, support_user):
    order = order_paid_by(card())
    run_owed()
    client.force_login(support_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    assert '<span class="badge payment-authorized">Authorized</span>' in panel
    assert "Refund amount" not in panel and "can be refunded" not in panel
    assert "Record payment" in panel


def test_fulfillment_sees_the_payments_but_no_actions(client, stock, web, fulfillment_user):
    order = declined_order()
    client.force_login(fulfillment_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    assert "The card was declined." in panel
    for hidden in ("Refund amount", "Record payment", ">Retry<", "<form"):
        assert hidden not in panel, hidden


def test_a_cancelled_order_takes_no_payment_and_no_retry(client, stock, web, support_user):
    order = declined_order()
    order_cancel(order=order, reason="fraud", actor=support_user)
    client.force_login(support_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    assert "Record payment" not in panel and ">Retry<" not in panel


def test_an_order_without_payments_says_so(client, stock, web, support_user):
    order = order_paid_by({})
    client.force_login(support_user)
    panel = text_of(panel_of(client.get(order_url(order)).content.decode()))
    assert "No payments yet." in panel
    assert "Paid 0.00 USD Balance due 20.00 USD" in panel


def test_payment_entries_on_the_timeline_are_labelled_payment(client, stock, web, support_user):
    order = captured_order()
    client.force_login(support_user)
    html = client.get(order_url(order)).content.decode()
    timeline = html[html.index('id="timeline"') :]
    for event_type in ("payment_requested", "payment_authorized", "payment_captured"):
        entry = re.search(
            rf'<li class="event event-{event_type}">.*?<span class="badge">(.*?)</span>',
            timeline,
            flags=re.S,
        )
        assert entry is not None and entry.group(1) == "Payment", event_type


# --- keeping itself up to date ---------------------------------------------------------------


def test_while_a_gateway_call_is_owed_the_ledger_asks_again_every_two_seconds(
    client, stock, web, support_user
):
    order = captured_order()
    payment_refund(order=order, amount="5.00", reason="dent", actor=support_user)
    client.force_login(support_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    assert (
        f'<div id="payments-ledger" class="payments-ledger" hx-get="{payments_url("panel", order)}"'
        ' hx-trigger="every 2s"' in panel
    )
    assert "Waiting for the payment gateway to answer" in panel

    polled = client.get(payments_url("panel", order), headers=HTMX)
    assert polled.status_code == 200
    body = polled.content.decode()
    assert body.lstrip().startswith('<div id="payments-ledger"')
    assert 'hx-trigger="every 2s"' in body
    assert "HX-Retarget" not in polled.headers


def test_once_settled_the_poll_swaps_the_whole_order_and_stops(client, stock, web, support_user):
    order = captured_order()
    payment_refund(order=order, amount="5.00", reason="dent", actor=support_user)
    run_owed()
    client.force_login(support_user)
    polled = client.get(payments_url("panel", order), headers=HTMX)
    assert polled.headers["HX-Retarget"] == "#order"
    assert polled.headers["HX-Reswap"] == "outerHTML"
    body = polled.content.decode()
    assert body.lstrip().startswith('<div id="order"')
    assert "Payment: partially refunded" in body
    assert "Refunded 5.00 USD" in body
    assert "every 2s" not in body


def test_a_settled_order_page_does_not_poll(client, stock, web, support_user):
    order = captured_order()
    client.force_login(support_user)
    assert "every 2s" not in client.get(order_url(order)).content.decode()


def test_the_panel_alone_without_htmx_goes_to_the_order_page(client, stock, web, support_user):
    order = captured_order()
    client.force_login(support_user)
    response = client.get(payments_url("panel", order))
    assert (response.status_code, response["Location"]) == (302, order_url(order))


# --- cost ------------------------------------------------------------------------------------


def test_the_order_page_query_count_does_not_grow_with_payments_or_transactions(
    client, stock, web, manager_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    one = order_paid_by(card())
    run_owed()
    assert T.objects.filter(payment__order=one).count() == 1
    # 10 for the page and this panel, 3 for the shipments panel (its parcels, the units free),
    # up to 3 for the returns panel (its returns, their lines, the units open returns hold).
    with django_assert_max_num_queries(16) as few:
        assert client.get(order_url(one)).status_code == 200

    many = captured_order()
    for _ in range(18):
        payment_refund(order=many, amount="1.00", reason="goodwill", actor=manager_user)
    payment_record(order=many, amount="3.00", method="cash", actor=manager_user)
    payment_record(order=many, amount="4.00", method="bank_transfer", actor=manager_user)
    run_owed()
    assert T.objects.filter(payment__order=many).count() >= 22
    with django_assert_max_num_queries(16) as lots:
        response = client.get(order_url(many))
    assert len(rows_of(panel_of(response.content.decode()))) >= 22
    assert len(lots) == len(few)


def test_the_polled_ledger_query_count_does_not_grow_either(
    client, stock, web, manager_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    one = captured_order()
    payment_refund(order=one, amount="1.00", reason="goodwill", actor=manager_user)
    with django_assert_max_num_queries(8) as few:
        client.get(payments_url("panel", one), headers=HTMX)
    many = captured_order()
    for _ in range(15):
        payment_refund(order=many, amount="1.00", reason="goodwill", actor=manager_user)
    with django_assert_max_num_queries(8) as lots:
        response = client.get(payments_url("panel", many), headers=HTMX)
    assert len(rows_of(response.content.decode())) == 17
    assert len(lots) == len(few)
    assert Payment.objects.get(order=many).amount_refunded == Decimal("0.00")
