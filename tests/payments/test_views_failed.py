"""The failed-payments queue: oldest failure first, only orders still open, a Retry per row,
keyset pages at a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.services import order_cancel
from payments.models import Payment, PaymentStatus, PaymentTransaction
from payments.views import failed as failed_views
from tests.orders.factories import SalesChannelFactory
from tests.payments.screens import HTMX, captured_order, declined_order, order_url

pytestmark = pytest.mark.django_db
T = PaymentTransaction
QUEUE = reverse("payments:failed")


@pytest.fixture
def support(client, support_user):
    client.force_login(support_user)
    return client


def failed_ago(hours: int, **kwargs):
    """An order whose card was declined `hours` ago."""
    order = declined_order(**kwargs)
    Payment.objects.filter(order=order).update(failed_at=timezone.now() - timedelta(hours=hours))
    return order


def listed(html: str) -> list[str]:
    """The order numbers of the queue's rows, top to bottom."""
    row_head = r'<th scope="row" class="nowrap"><a href="/orders/[^"]+/">(SO-\d+)</a></th>'
    return re.findall(row_head, html)


def retry_url(order) -> str:
    return reverse("payments:failed_retry", args=[Payment.objects.get(order=order).pk])


def test_the_queue_lists_failed_payments_oldest_first_without_cancelled_orders(
    support, stock, web, support_user
):
    newest = failed_ago(1)
    oldest = failed_ago(30)
    middle = failed_ago(5)
    gone = failed_ago(50)
    order_cancel(order=gone, reason="fraud", actor=support_user)
    captured_order()  # paid: not in the queue
    html = support.get(QUEUE).content.decode()
    assert listed(html) == [oldest.number, middle.number, newest.number]


def test_each_row_says_who_what_where_and_why(support, stock):
    channel = SalesChannelFactory(code="market", name="Marketplace Mall")
    order = failed_ago(3, channel=channel, first_name="Grace", last_name="Hopper")
    payment = Payment.objects.get(order=order)
    html = support.get(QUEUE).content.decode()
    first_row = r"<tr>\s*<th scope=\"row\" class=\"nowrap\">.*?</tr>"
    row = re.search(first_row, html, flags=re.S).group(0)
    assert f'<a href="{order_url(order)}">{order.number}</a>' in row
    for shown in (
        "Grace Hopper",
        "Marketplace Mall",
        "Sandbox card processor",
        "Card",
        "20.00 USD",
        "Authorize declined: The card was declined.",
        f"{timezone.localtime(payment.failed_at):%Y-%m-%d %H:%M}",
        f'action="{retry_url(order)}"',
        ">Retry<",
    ):
        assert shown in row, shown


def test_an_empty_queue_says_so(support, db):
    assert "No failed payments: nothing to chase." in support.get(QUEUE).content.decode()


def test_retry_from_the_queue_takes_the_row_away(support, stock, web, support_user):
    first, second = failed_ago(10), failed_ago(2)
    response = support.post(retry_url(first), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="failed-results"')
    assert listed(html) == [second.number]
    assert f"{first.number}: retrying the failed payment of 20.00 USD." in html
    payment = Payment.objects.get(order=first)
    assert payment.status == PaymentStatus.PENDING
    retried = payment.transactions.order_by("id").last()
    assert (retried.kind, retried.status, retried.requested_by) == (
        T.Kind.AUTHORIZE,
        T.Status.REQUESTED,
        support_user,
    )


def test_retry_without_htmx_comes_back_to_the_queue_page_it_was_on(support, stock, web):
    order = failed_ago(1)
    response = support.post(retry_url(order) + "?after=7:2024-01-01T00:00:00%2B00:00")
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?after=7%3A2024-01-01T00%3A00%3A00%2B00%3A00"
    assert Payment.objects.get(order=order).status == PaymentStatus.PENDING


def test_retrying_what_no_longer_failed_is_refused_with_a_message(support, stock, web):
    order = failed_ago(1)
    support.post(retry_url(order))
    response = support.post(retry_url(order), headers=HTMX)
    assert (
        f"{order.number}: This payment is pending, not failed: there is nothing to retry."
        in response.content.decode()
    )
    assert Payment.objects.get(order=order).transactions.count() == 2


def test_retrying_an_unknown_payment_is_404(support, db):
    assert support.post(reverse("payments:failed_retry", args=[999999])).status_code == 404


def test_a_long_queue_is_paged_oldest_first(support, stock, web, monkeypatch):
    monkeypatch.setattr(failed_views, "PAGE_SIZE", 2)
    orders = [failed_ago(hours) for hours in (50, 40, 30, 20, 10)]
    numbers = [order.number for order in orders]
    first = support.get(QUEUE)
    assert listed(first.content.decode()) == numbers[:2]
    assert first.context["previous_url"] == ""
    second = support.get(QUEUE + first.context["next_url"])
    assert listed(second.content.decode()) == numbers[2:4]
    third = support.get(QUEUE + second.context["next_url"], headers=HTMX)
    assert listed(third.content.decode()) == numbers[4:]
    assert third.context["next_url"] == ""
    back = support.get(QUEUE + third.context["previous_url"])
    assert listed(back.content.decode()) == numbers[2:4]


def test_a_cursor_that_is_not_one_shows_the_first_page(support, stock, web):
    order = failed_ago(1)
    for cursor in ("nonsense", "12:not-a-date", ":", "x:2024-01-01"):
        assert listed(support.get(QUEUE, {"after": cursor}).content.decode()) == [order.number]


def test_the_queue_query_count_does_not_grow_with_failed_payments(
    support, stock, web, django_assert_max_num_queries
):
    failed_ago(1)
    with django_assert_max_num_queries(6) as few:
        assert support.get(QUEUE).status_code == 200
    for hours in range(2, 14):
        failed_ago(hours, channel=SalesChannelFactory(code=f"shop{hours}"))
    with django_assert_max_num_queries(6) as many:
        response = support.get(QUEUE)
    assert len(listed(response.content.decode())) == 13
    assert len(many) == len(few)


def test_the_navigation_offers_the_queue_to_support_and_managers_only(
    client, support_user, manager_user, fulfillment_user
):
    link = f'<a href="{QUEUE}">Failed payments</a>'
    for user, shown in ((support_user, True), (manager_user, True), (fulfillment_user, False)):
        client.force_login(user)
        assert (link in client.get(reverse("home")).content.decode()) is shown, user
    client.force_login(support_user)
    assert f'<a href="{QUEUE}" aria-current="page">Failed payments</a>' in (
        client.get(QUEUE).content.decode()
    )
