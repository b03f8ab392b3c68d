"""The order queues: tabs and counts, keyset pages, a fixed number of queries, htmx partials."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderStatus
from orders.services import order_hold
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db

QUEUE = reverse("orders:queue")
BASE = timezone.now().replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def channel():
    give_stock(ProductFactory(sku="TEE"), WarehouseFactory(code="EAST"), 1000)
    return SalesChannelFactory(code="web")


def make_orders(channel, count: int, *, start: int = 0, **overrides) -> list:
    """`count` ready orders, each placed a minute before the previous one."""
    return [
        capture(channel, [("TEE", 1)], placed_at=BASE - timedelta(minutes=start + i), **overrides)
        for i in range(count)
    ]


def numbers(response) -> list[str]:
    return [order.number for order in response.context["page"].orders]


def walk(client, params: dict) -> list[list[str]]:
    """Follow the Next links from the first page; the numbers on each page."""
    pages, url = [], QUEUE
    response = client.get(url, params)
    while True:
        pages.append(numbers(response))
        next_url = response.context["next_url"]
        if not next_url:
            return pages
        response = client.get(next_url)


def test_tabs_show_queue_counts_and_attention_lists_holds_by_reason(client, support_user, channel):
    ready = make_orders(channel, 3)
    order_hold(order=ready[0], reason="fraud_review", actor=None)
    order_hold(order=ready[1], reason="customer_request", actor=None)
    unknown = capture(channel, [("NOPE", 1)])  # an unknown SKU holds the order
    client.force_login(support_user)
    response = client.get(QUEUE, {"queue": "attention"})
    tabs = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {
        **{"attention": 3, "ready": 1, "backordered": 0},
        **{"at_risk": 0, "late": 0, "all": None},
    }
    reasons = {reason["label"]: reason["count"] for reason in response.context["reasons"]}
    assert reasons == {"Fraud review": 1, "Customer request": 1, "Unknown SKU": 1}
    assert sorted(numbers(response)) == sorted([ready[0].number, ready[1].number, unknown.number])
    assert response.context["page"].orders[0].active_holds


def test_ready_backordered_and_late_queues(client, support_user, channel):
    ready = make_orders(channel, 1)[0]
    late = capture(channel, [("TEE", 1)], placed_at=timezone.now() - timedelta(days=5))
    ProductFactory(sku="SOLD-OUT")
    backordered = capture(channel, [("SOLD-OUT", 1)], placed_at=BASE)
    client.force_login(support_user)
    assert set(numbers(client.get(QUEUE, {"queue": "ready"}))) == {ready.number, late.number}
    assert numbers(client.get(QUEUE, {"queue": "backordered"})) == [backordered.number]
    late_page = client.get(QUEUE, {"queue": "late"})
    assert numbers(late_page) == [late.number]
    assert "Late" in late_page.content.decode()


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("newest", lambda order: (-order.placed_at.timestamp(), -order.pk)),
        ("oldest", lambda order: (order.placed_at.timestamp(), order.pk)),
        ("ship_by", lambda order: (order.ship_by.timestamp(), order.pk)),
        ("total", lambda order: (-order.grand_total, -order.pk)),
    ],
)
def test_keyset_pages_are_disjoint_ordered_and_complete(client, support_user, channel, sort, key):
    orders = make_orders(channel, 17)
    # Ties on the sort key are broken by id, never dropped or repeated.
    orders += make_orders(channel, 6, start=3)
    orders += [capture(channel, [("TEE", 3)], placed_at=BASE) for _ in range(2)]
    client.force_login(support_user)
    pages = walk(client, {"sort": sort, "per_page": 10})
    assert [len(page) for page in pages] == [10, 10, 5]
    flat = [number for page in pages for number in page]
    assert len(set(flat)) == len(flat) == 25
    assert flat == [order.number for order in sorted(orders, key=key)]


@pytest.mark.parametrize(("sort", "empty_first"), [("newest", True), ("oldest", False)])
def test_orders_without_a_placed_date_are_paged_too(
    client, support_user, channel, sort, empty_first
):
    """Drafts may have no `placed_at`: they sort as the latest, like PostgreSQL's indexes."""
    orders = make_orders(channel, 14)
    drafts = orders[3:8]
    Order.objects.filter(pk__in=[order.pk for order in drafts]).update(placed_at=None)
    client.force_login(support_user)
    pages = walk(client, {"sort": sort, "per_page": 10})
    assert [len(page) for page in pages] == [10, 4]
    flat = [number for page in pages for number in page]
    assert sorted(flat) == sorted(order.number for order in orders)
    edge = flat[:5] if empty_first else flat[-5:]
    assert edge == sorted((order.number for order in drafts), reverse=empty_first)
    # Back from page two, across the boundary between dated and undated orders.
    second = client.get(client.get(QUEUE, {"sort": sort, "per_page": 10}).context["next_url"])
    assert numbers(client.get(second.context["previous_url"])) == pages[0]


def test_previous_link_walks_back_to_the_first_page(client, support_user, channel):
    make_orders(channel, 23)
    client.force_login(support_user)
    first = client.get(QUEUE, {"per_page": 10})
    second = client.get(first.context["next_url"])
    third = client.get(second.context["next_url"])
    assert third.context["next_url"] == ""
    back_to_second = client.get(third.context["previous_url"])
    assert numbers(back_to_second) == numbers(second)
    back_to_first = client.get(back_to_second.context["previous_url"])
    assert numbers(back_to_first) == numbers(first)
    assert back_to_first.context["previous_url"] == ""
    assert back_to_first.context["next_url"] == first.context["next_url"]
    # Paging keeps the filters in the URL.
    assert parse_qs(urlparse(second.context["next_url"]).query)["per_page"] == ["10"]


def test_a_tampered_cursor_shows_the_first_page(client, support_user, channel):
    make_orders(channel, 3)
    client.force_login(support_user)
    for params in ({"after": "12:not-a-date"}, {"before": "x"}, {"sort": "total", "after": "5:"}):
        response = client.get(QUEUE, params)
        assert response.status_code == 200
        assert len(numbers(response)) == 3


def _queries(client, params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("queue", ["all", "attention", "ready"])
def test_the_queue_runs_the_same_queries_for_5_or_30_orders(client, support_user, channel, queue):
    client.force_login(support_user)
    orders = make_orders(channel, 5)
    if queue == "attention":
        for order in orders:
            order_hold(order=order, reason="manual", actor=None)
    few = _queries(client, {"queue": queue})
    more = make_orders(channel, 25, start=10)
    if queue == "attention":
        for order in more:
            order_hold(order=order, reason="manual", actor=None)
    many_queries = _queries(client, {"queue": queue})
    assert len(many_queries) == len(few)
    assert len(few) <= 16


def test_no_query_counts_the_whole_orders_table(client, support_user, channel):
    make_orders(channel, 12)
    client.force_login(support_user)
    for params in ({}, {"per_page": 10}, {"queue": "ready", "sort": "total"}):
        for sql in _queries(client, params):
            if "COUNT(" in sql.upper() and '"orders_order"' in sql:
                # A count is of a small slice, or stops at the bulk limit ("all N matching").
                assert "WHERE" in sql.upper() or "LIMIT 1001" in sql.upper(), sql


def test_htmx_gets_the_partial_and_a_history_restore_gets_the_page(client, support_user, channel):
    make_orders(channel, 2)
    client.force_login(support_user)
    partial = client.get(QUEUE, {"queue": "ready"}, headers={"HX-Request": "true"})
    assert b'id="queue"' in partial.content
    assert b"<html" not in partial.content
    assert "HX-Request" in partial["Vary"]
    restore = client.get(
        QUEUE,
        {"queue": "ready"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in restore.content
    full = client.get(QUEUE, {"queue": "ready"})
    assert b"<html" in full.content
    assert b'aria-current="page">Ready to fulfill' in full.content


def test_orders_link_is_in_the_navigation_and_marked_current(client, fulfillment_user, channel):
    client.force_login(fulfillment_user)
    html = client.get(QUEUE).content.decode()
    assert f'<a href="{QUEUE}" aria-current="page">Orders</a>' in html


def test_cancelled_orders_are_only_in_all(client, support_user, channel):
    from orders.services import order_cancel

    order = make_orders(channel, 1)[0]
    order_cancel(order=order, reason="test", actor=None)
    client.force_login(support_user)
    assert numbers(client.get(QUEUE, {"queue": "ready"})) == []
    response = client.get(QUEUE, {"status": OrderStatus.CANCELLED})
    assert numbers(response) == [order.number]


@pytest.mark.parametrize("cursor", ["²:2024-01-01", "1:NaN", "1:Infinity", "x:y", ":"])
def test_a_malformed_cursor_shows_the_first_page(client, support_user, channel, cursor):
    orders = make_orders(channel, 3)
    client.force_login(support_user)
    response = client.get(QUEUE, {"after": cursor, "sort": "total"})
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted(order.number for order in orders)


def test_the_filters_fold_behind_a_button_that_counts_the_active_ones(
    client, support_user, channel
):
    client.force_login(support_user)
    narrowed = client.get(
        QUEUE, {"status": "ready", "channel": "web", "date_from": "2025-01-15", "q": "x"}
    ).content.decode()
    # Search, sort and page size stay in view and are not counted.
    assert 'Filters <span class="count">3</span><span class="visually-hidden"> active</span>' in (
        narrowed
    )
    assert '<details class="filter-panel" data-keep-open="order-filters">' in narrowed
    plain = client.get(QUEUE, {"sort": "total"}).content.decode()
    assert 'data-testid="filters-toggle">Filters</summary>' in plain


def test_a_day_typed_another_way_opens_the_filters_with_the_format_to_use(
    client, support_user, channel
):
    make_orders(channel, 2)
    client.force_login(support_user)
    response = client.get(QUEUE, {"date_from": "01/15/2025"})
    html = response.content.decode()
    assert '<details class="filter-panel" data-keep-open="order-filters" open>' in html
    assert "Enter a day as YYYY-MM-DD, e.g. 2025-01-15." in html
    assert len(numbers(response)) == 2  # the bad value narrows nothing


def test_each_order_is_one_line_with_the_long_texts_whole_on_hover(client, support_user, channel):
    order = capture(
        channel, [("TEE", 1)], first_name="Bartholomew", last_name="Quince", external_id="AMZ-9"
    )
    client.force_login(support_user)
    html = client.get(QUEUE).content.decode()
    assert f'title="External id: AMZ-9">{order.number}</a>' in html
    assert 'title="Bartholomew Quince · ada@example.com">Bartholomew Quince</span>' in html
    placed = timezone.localtime(order.placed_at).strftime("%Y-%m-%d %H:%M")
    assert f'<td class="nowrap">{placed}</td>' in html
