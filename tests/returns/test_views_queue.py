"""The returns queue: tabs per status with counts, the open returns oldest first, filters by
reason and age, search by RMA number, order number or email, and keyset pages at a fixed number
of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.numbering import numbered
from returns.models import ReturnRequest
from returns.services import return_refund, return_reject
from returns.views import queue as queue_views
from tests.payments.factories import run_owed
from tests.returns.factories import shipped_order
from tests.returns.screens import HTMX, QUEUE, approved, listed, opened, received, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(client, support_user):
    client.force_login(support_user)
    return client


def aged(rma: ReturnRequest, days: int) -> ReturnRequest:
    """As if the return had been opened `days` days ago."""
    ReturnRequest.objects.filter(pk=rma.pk).update(created_at=timezone.now() - timedelta(days=days))
    return ReturnRequest.objects.get(pk=rma.pk)


@pytest.fixture
def returns(setup, support_user, fulfillment_user):
    """Two customers' orders and returns in most states, of known ages."""
    kim = shipped_order(
        setup["web"],
        [("MUG", 4, "10.00"), ("TEE", 2, "20.00")],
        packer=fulfillment_user,
        email="kim@example.com",
    )
    lee = shipped_order(
        setup["web"], [("CAP", 3, "15.00")], packer=fulfillment_user, email="lee@example.com"
    )
    requested = aged(opened(kim, support_user, ("MUG", 1, "changed_mind")), 2)
    waiting = aged(approved(lee, support_user, ("CAP", 1, "defective")), 9)
    arrived = aged(received(kim, support_user, fulfillment_user, ("TEE", 1, "defective")), 5)
    refunded = received(lee, support_user, fulfillment_user, ("CAP", 1, "wrong_item"))
    return_refund(rma=refunded, actor=support_user)
    run_owed()
    rejected = opened(kim, support_user, ("MUG", 1, "changed_mind"))
    return_reject(rma=rejected, reason="Worn", actor=support_user)
    return {
        "kim": kim,
        "lee": lee,
        "requested": requested,
        "waiting": waiting,
        "arrived": arrived,
        "refunded": aged(refunded, 1),
        "rejected": aged(rejected, 3),
    }


def numbers(*returns) -> list[str]:
    return [rma.number for rma in returns]


def test_open_returns_come_first_oldest_first(support, returns):
    html = support.get(QUEUE).content.decode()
    assert listed(html) == numbers(returns["waiting"], returns["arrived"], returns["requested"])
    start = html.index('aria-label="Returns by status">')
    tabs = text_of(html[start : html.index("</nav>", start)])
    assert tabs == (
        'aria-label="Returns by status"> Open 3 Requested 1 Approved 1 Rejected 1 Received 1 '
        "Refunded 1 Exchanged 0 Closed 0 All 5"
    )
    assert 'aria-current="page">Open' in html


def test_a_row_says_whose_what_and_how_old(support, returns):
    html = support.get(QUEUE).content.decode()
    waiting = returns["waiting"]
    start = html.index(f'data-rma="{waiting.number}"')
    row = text_of(html[start : html.index("</tr>", start)])
    assert row == (
        f'data-rma="{waiting.number}"> {waiting.number} {returns["lee"].number} Ada Lovelace '
        "lee@example.com Approved Refund 1 × CAP Defective — "
        f"{waiting.created_at:%Y-%m-%d} 1 week, 2 days ago"
    )


def test_each_status_tab_lists_its_returns_and_settled_ones_newest_first(support, returns):
    html = support.get(QUEUE, {"status": "refunded"}).content.decode()
    assert listed(html) == numbers(returns["refunded"])
    assert "Refunded 15.00 USD" in html
    everything = listed(support.get(QUEUE, {"status": "all"}).content.decode())
    assert everything == numbers(
        returns["refunded"],
        returns["requested"],
        returns["rejected"],
        returns["arrived"],
        returns["waiting"],
    )


def test_filter_by_reason(support, returns):
    html = support.get(QUEUE, {"status": "all", "reason": "changed_mind"}).content.decode()
    assert listed(html) == numbers(returns["requested"], returns["rejected"])


def test_filter_by_age(support, returns):
    html = support.get(QUEUE, {"older_than": "4"}).content.decode()
    assert listed(html) == numbers(returns["waiting"], returns["arrived"])


@pytest.mark.parametrize(
    "text",
    ["requested", "number-only", "order", "kim@example.com", "KIM@example.com"],
)
def test_search_by_rma_number_order_number_or_email(support, returns, text):
    rma = returns["requested"]
    query = {
        "requested": rma.number,
        "number-only": str(rma.pk),
        "order": returns["kim"].number.lower(),
    }.get(text, text)
    html = support.get(QUEUE, {"status": "all", "q": query}).content.decode()
    if text == "requested":
        assert listed(html) == [rma.number]
    elif text == "number-only":
        # A bare number is an RMA number or an order number: both are found.
        same_order_number = ReturnRequest.objects.filter(order__number=numbered(query, "SO"))
        expected = {rma.number} | {other.number for other in same_order_number}
        assert set(listed(html)) == expected
    else:
        assert set(listed(html)) == set(
            numbers(returns["requested"], returns["arrived"], returns["rejected"])
        )


def test_tabs_keep_the_filters_and_nothing_matching_says_so(support, returns):
    html = support.get(QUEUE, {"q": "nobody@example.com", "reason": "defective"}).content.decode()
    assert listed(html) == []
    assert "No returns match." in html
    assert "/returns/?q=nobody%40example.com&amp;reason=defective&amp;status=all" in html


def test_a_bad_age_is_said_beside_the_field_and_the_list_is_not_narrowed(support, returns):
    html = support.get(QUEUE, {"older_than": "soon"}).content.decode()
    assert "Enter a whole number." in html
    assert len(listed(html)) == 3


def test_an_htmx_request_gets_the_list_alone(support, returns):
    html = support.get(QUEUE, {"status": "all"}, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="returns"')
    assert "<html" not in html


def test_pages_walk_forward_and_back_keeping_the_filters(support, returns, monkeypatch):
    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    first = support.get(QUEUE, {"status": "all"})
    assert listed(first.content.decode()) == numbers(returns["refunded"], returns["requested"])
    context = first.context
    assert context["next_url"] and not context["previous_url"]
    second = support.get(f"{QUEUE}{context['next_url']}")
    assert listed(second.content.decode()) == numbers(returns["rejected"], returns["arrived"])
    third = support.get(f"{QUEUE}{second.context['next_url']}")
    assert listed(third.content.decode()) == numbers(returns["waiting"])
    assert not third.context["next_url"]
    back = support.get(f"{QUEUE}{third.context['previous_url']}")
    assert listed(back.content.decode()) == numbers(returns["rejected"], returns["arrived"])
    assert "status=all" in third.context["previous_url"]


def test_the_queue_query_count_does_not_grow_with_returns_or_lines(
    client, setup, support_user, fulfillment_user, manager_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    one = shipped_order(setup["web"], [("MUG", 1, "10.00")], packer=fulfillment_user)
    opened(one, support_user, ("MUG", 1))
    # The session, the user and their roles; the counts, the page and its lines.
    with django_assert_max_num_queries(6) as few:
        assert client.get(QUEUE).status_code == 200

    for _ in range(6):
        order = shipped_order(
            setup["web"],
            [("MUG", 2, "10.00"), ("TEE", 2, "20.00"), ("CAP", 2, "15.00")],
            packer=fulfillment_user,
        )
        opened(order, support_user, ("MUG", 2), ("TEE", 1), ("CAP", 2))
    with django_assert_max_num_queries(6) as many:
        response = client.get(QUEUE, {"q": ""})
    assert len(listed(response.content.decode())) == 7
    assert len(many) == len(few)
