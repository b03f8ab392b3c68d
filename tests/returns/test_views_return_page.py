"""The return page: lines, decisions, label, settlement and the return's own timeline; and its
actions each way — approve (with a label, a restock warehouse), reject (a reason required),
refund (the quote's breakdown, options re-quoted, the amount lowered, limits beside the field),
exchange (what will be sent), close."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import PaymentTransaction
from returns.models import ReturnRequest, ReturnStatus
from returns.services import (
    ExchangeLineData,
    ReturnLineData,
    return_create,
    return_label_make,
    return_refund,
    return_reject,
)
from tests.payments.factories import run_owed
from tests.returns.factories import shipped_order
from tests.returns.screens import (
    HTMX,
    approved,
    fresh,
    opened,
    received,
    return_url,
    section,
    text_of,
)

pytestmark = pytest.mark.django_db
S = ReturnStatus


@pytest.fixture
def support(client, support_user):
    client.force_login(support_user)
    return client


def page_of(client, rma) -> str:
    response = client.get(return_url(rma))
    assert response.status_code == 200
    return response.content.decode()


def refund_card(html: str) -> str:
    return section(html, "refund-card")


def field_of(html: str, name: str) -> str:
    """The `.field` block of the input with this id."""
    return re.search(rf'<div class="field[^"]*">\s*<label for="{name}">.*?</div>', html, re.S)[0]


# --- what the page shows --------------------------------------------------------------------


def test_the_page_shows_lines_asked_back_and_received(
    support, order, support_user, fulfillment_user
):
    from returns.services import ReceivedUnits, return_receive

    rma = approved(order, support_user, ("MUG", 2), ("TEE", 1, "wrong_item"), note="Box crushed")
    return_receive(
        rma=rma,
        lines=[ReceivedUnits("MUG", 1, "sellable"), ReceivedUnits("MUG", 1, "damaged")],
        actor=fulfillment_user,
    )
    html = page_of(support, rma)
    rows = re.findall(r'<tr class="return-line-row" data-sku="\w+">.*?</tr>', html, re.S)
    mug, tee = order.lines.get(sku="MUG").name, order.lines.get(sku="TEE").name
    assert [text_of(row) for row in rows] == [
        f"MUG {mug} Defective 2 2 1 1 0",
        f"TEE {tee} Wrong item sent 1 1 0 0 1",
    ]
    text = text_of(html)
    assert "Box crushed" in text
    assert f"Order {order.number}" in text
    assert f"Approved {rma.decided_at:%Y-%m-%d} " in text and support_user.first_name in text
    assert f'href="{reverse("orders:customer", args=[order.customer_id])}"' in html
    assert text_of(section(html, "return-label")).endswith("No return label.")


def test_a_rejected_return_shows_who_rejected_it_and_why_and_offers_only_closing(
    support, order, support_user
):
    rma = opened(order, support_user, ("MUG", 1))
    return_reject(rma=rma, reason="Outside the 30-day window", actor=support_user)
    html = page_of(support, rma)
    assert 'data-testid="rejection-reason">Outside the 30-day window<' in html
    assert "Rejected" in text_of(section(html, "return")[:2000])
    assert ">Close return<" in html
    assert 'id="approve-title"' not in html and 'id="refund-title"' not in html


def test_the_timeline_is_the_orders_entries_about_this_return_newest_first(
    support, order, support_user
):
    rma = approved(order, support_user, ("MUG", 1))
    other = opened(order, support_user, ("TEE", 1))
    timeline = section(page_of(support, rma), "return-timeline")
    messages = re.findall(r'<p class="event-message">(.*?)</p>', timeline)
    assert [message.split(";")[0].split(":")[0] for message in messages] == [
        f"Return {rma.number} approved",
        f"Return {rma.number} opened for refund",
    ]
    assert other.number not in timeline
    assert '<span class="badge">Return</span>' in timeline


def test_support_is_offered_the_actions_the_state_allows(
    support, order, support_user, fulfillment_user
):
    requested = opened(order, support_user, ("MUG", 1))
    html = page_of(support, requested)
    assert 'id="approve-title"' in html and 'id="reject-title"' in html
    assert 'id="refund-title"' not in html
    arrived = received(order, support_user, fulfillment_user, ("TEE", 1))
    html = page_of(support, arrived)
    assert 'id="approve-title"' not in html
    assert 'id="refund-title">Refund<' in html and 'id="exchange-title">Exchange instead<' in html
    assert "Receive RMA" not in html


def test_fulfillment_reads_the_page_and_is_sent_to_receive_an_approved_return(
    client, order, support_user, fulfillment_user
):
    client.force_login(fulfillment_user)
    rma = approved(order, support_user, ("MUG", 1))
    html = page_of(client, rma)
    assert f'href="/returns/receive/?rma={rma.number}"' in html
    assert 'id="approve-title"' not in html and 'id="reject-title"' not in html


# --- approve and reject ---------------------------------------------------------------------


def test_approving_with_a_label_and_a_restock_warehouse(support, order, support_user, setup):
    rma = opened(order, support_user, ("MUG", 1))
    response = support.post(
        return_url(rma, "approve"), {"label": "on", "warehouse": "EAST"}, headers=HTMX
    )
    assert response.status_code == 200
    rma = fresh(rma)
    assert (rma.status, rma.warehouse, rma.decided_by, rma.label_status) == (
        S.APPROVED,
        setup["east"],
        support_user,
        "pending",
    )
    html = response.content.decode()
    assert f"Return {rma.number} approved: the customer is emailed the instructions." in html
    # While the carrier makes the label the card asks again by itself.
    label = section(html, "return-label")
    assert 'hx-trigger="every 2s"' in label and "The carrier is making the label" in label

    return_label_make(rma_id=rma.pk)
    card = support.get(return_url(rma, "label"), headers=HTMX).content.decode()
    assert "every 2s" not in card
    assert f'href="/returns/{rma.number}/label.pdf"' in card
    assert fresh(rma).tracking_number in card


def test_a_plain_approve_redirects_to_the_page(support, order, support_user):
    rma = opened(order, support_user, ("MUG", 1))
    response = support.post(return_url(rma, "approve"), {})
    assert response.status_code == 302 and response["Location"] == return_url(rma)
    assert (fresh(rma).status, fresh(rma).label_status) == (S.APPROVED, "none")


def test_rejecting_needs_a_reason_beside_the_field(support, order, support_user):
    rma = opened(order, support_user, ("MUG", 1))
    response = support.post(return_url(rma, "reject"), {"reason": " "}, headers=HTMX)
    assert "Say why the return is rejected." in field_of(response.content.decode(), "reject_reason")
    assert fresh(rma).status == S.REQUESTED
    response = support.post(return_url(rma, "reject"), {"reason": "Worn"}, headers=HTMX)
    assert fresh(rma).status == S.REJECTED
    assert 'data-testid="rejection-reason">Worn<' in response.content.decode()


# --- refund ---------------------------------------------------------------------------------


def test_the_refund_card_shows_the_quote_and_starts_at_its_total(
    support, order, support_user, fulfillment_user
):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1))
    card = refund_card(page_of(support, rma))
    # 20.00 of a 40.00 subtotal: half the 4.00 tax and of the 8.00 discount.
    quote = text_of(card[card.index('data-testid="refund-quote"') :])
    assert quote.startswith(
        'data-testid="refund-quote"> Returned items 20.00 Tax share 2.00 Discount share −4.00 '
        "Shipping 0.00 Restocking fee 0.00 Total 18.00 USD"
    )
    assert 'name="amount" value="18.00"' in card
    assert "Your limit is 100.00 USD per refund" in card


def test_options_requote_the_card_in_place(support, order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1))
    url = return_url(rma, "refund_quote")
    response = support.get(
        url, {"include_shipping": "on", "restocking_fee": "1.50", "amount": "3"}, headers=HTMX
    )
    card = response.content.decode()
    assert card.lstrip().startswith("<form")
    assert 'data-testid="quote-shipping">5.00<' in card
    assert 'data-testid="quote-fee">−1.50<' in card
    assert 'data-testid="refund-total">21.50 USD<' in card
    assert 'name="amount" value="21.50"' in card
    bad = support.get(url, {"restocking_fee": "-2"}, headers=HTMX).content.decode()
    assert "greater than or equal to 0" in field_of(bad, "refund_restocking_fee")
    assert 'data-testid="refund-total">18.00 USD<' in bad
    assert fresh(rma).status == S.RECEIVED


def test_refunding_less_than_the_quote(support, order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1))
    response = support.post(return_url(rma, "refund"), {"amount": "15.00"}, headers=HTMX)
    run_owed()
    rma = fresh(rma)
    assert (rma.status, rma.refund_amount) == (S.REFUNDED, Decimal("15.00"))
    refund = PaymentTransaction.objects.get(kind="refund")
    assert (refund.amount, refund.reason, refund.requested_by) == (
        Decimal("15.00"),
        f"Return {rma.number}",
        support_user,
    )
    html = response.content.decode()
    assert f"Return {rma.number} refunded: 15.00 USD." in html
    assert 'data-testid="refunded">15.00 USD' in html
    assert ">Close return<" in html


def test_refunding_with_the_shipping_and_a_fee(support, order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1))
    support.post(
        return_url(rma, "refund"),
        {"include_shipping": "on", "restocking_fee": "1.50", "amount": ""},
        headers=HTMX,
    )
    rma = fresh(rma)
    assert (rma.refund_amount, rma.shipping_refunded) == (Decimal("21.50"), True)


def test_more_than_the_quote_is_refused_beside_the_amount(
    support, order, support_user, fulfillment_user
):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1))
    response = support.post(return_url(rma, "refund"), {"amount": "18.01"}, headers=HTMX)
    html = response.content.decode()
    assert "At most 18.00." in field_of(html, "refund_amount")
    assert "This return may refund at most 18.00 USD." in html
    assert 'value="18.01"' in field_of(html, "refund_amount")
    assert fresh(rma).status == S.RECEIVED
    assert not PaymentTransaction.objects.filter(kind="refund").exists()


def test_above_supports_refund_limit_is_refused_beside_the_amount_and_a_manager_refunds(
    client, order, support_user, manager_user, fulfillment_user, settings
):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    rma = received(order, support_user, fulfillment_user, ("TEE", 1))
    client.force_login(support_user)
    response = client.post(return_url(rma, "refund"), {"amount": "18.00"}, headers=HTMX)
    html = response.content.decode()
    assert "Your limit is 10.00 per refund." in field_of(html, "refund_amount")
    assert "Refunds above 10.00 need a manager" in html
    assert fresh(rma).status == S.RECEIVED
    client.force_login(manager_user)
    client.post(return_url(rma, "refund"), {"amount": "18.00"}, headers=HTMX)
    assert fresh(rma).status == S.REFUNDED


# --- exchange and close ---------------------------------------------------------------------


def test_the_exchange_card_shows_what_will_be_sent_and_sends_it(
    support, order, support_user, fulfillment_user
):
    from returns.services import ReceivedUnits, return_approve, return_receive

    rma = return_create(
        order=order,
        lines=[ReturnLineData("TEE", 1, "wrong_item")],
        resolution="exchange",
        exchange_lines=[ExchangeLineData("CAP", 1)],
        actor=support_user,
    )
    return_approve(rma=rma, actor=support_user)
    return_receive(rma=rma, lines=[ReceivedUnits("TEE", 1, "sellable")], actor=fulfillment_user)
    html = page_of(support, rma)
    assert 'id="exchange-title">Exchange<' in html
    table = html[html.index('data-testid="exchange-items"') :]
    assert re.search(r"CAP Product \d+ 1 15\.00$", text_of(table[: table.index("</table>")]))
    assert 'data-testid="exchange-due">0.00 USD<' in html

    response = support.post(return_url(rma, "exchange"), {}, headers=HTMX)
    rma = fresh(rma)
    replacement = rma.replacement_order
    assert rma.status == S.EXCHANGED
    assert [(line.sku, line.quantity) for line in replacement.lines.all()] == [("CAP", 1)]
    html = response.content.decode()
    assert f"replacement order {replacement.number}" in html
    assert f'href="/orders/{replacement.number}/"' in section(html, "return")


def test_closing_a_settled_return(support, order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("MUG", 1))
    return_refund(rma=rma, actor=support_user)
    response = support.post(return_url(rma, "close"), {}, headers=HTMX)
    assert fresh(rma).status == S.CLOSED
    html = response.content.decode()
    assert f"Return {rma.number} closed." in html
    assert ">Close return<" not in html


def test_a_refund_of_a_return_not_received_is_refused_and_changes_nothing(
    support, order, support_user
):
    rma = approved(order, support_user, ("MUG", 1))
    response = support.post(return_url(rma, "refund"), {}, headers=HTMX)
    assert f"Return {rma.number} is approved: it cannot be refunded now." in (
        response.content.decode()
    )
    assert fresh(rma).status == S.APPROVED


# --- cost -----------------------------------------------------------------------------------


def test_the_return_page_query_count_does_not_grow_with_lines_or_events(
    client, setup, manager_user, support_user, fulfillment_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    one = shipped_order(setup["web"], [("MUG", 1, "10.00")], packer=fulfillment_user)
    few_lines = received(one, support_user, fulfillment_user, ("MUG", 1))
    # The session, the user and their roles; the return and its lines; its timeline; the
    # refund quote (the lines, the payment and its calls) and the exchange's products.
    with django_assert_max_num_queries(10) as few:
        assert client.get(return_url(few_lines)).status_code == 200

    many = shipped_order(
        setup["web"],
        [("MUG", 3, "10.00"), ("TEE", 3, "20.00"), ("CAP", 3, "15.00")],
        packer=fulfillment_user,
    )
    from returns.services import ReceivedUnits, return_receive

    rma = approved(many, support_user, ("MUG", 3), ("TEE", 3), ("CAP", 3))
    for sku in ("MUG", "TEE", "CAP"):
        for _ in range(3):
            return_receive(
                rma=rma, lines=[ReceivedUnits(sku, 1, "damaged")], actor=fulfillment_user
            )
    assert ReturnRequest.objects.get(pk=rma.pk).status == S.RECEIVED
    with django_assert_max_num_queries(10) as lots:
        html = client.get(return_url(rma)).content.decode()
    assert html.count('class="return-line-row"') == 3
    assert html.count('<li class="event') == 11
    assert len(lots) == len(few)
