"""What backordered orders are short of: in the Backordered queue (one query for the page) and
in the low-stock page's suggested order."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.services import order_line_add
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db

QUEUE = "/orders/"


@pytest.fixture
def channel():
    return SalesChannelFactory(code="web")


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", country="US", priority=1)


@pytest.fixture
def shelf(east):
    """MUG has 3 units, CUP none; TEE plenty."""
    mug = ProductFactory(sku="MUG", reorder_point=5, reorder_quantity=0)
    give_stock(mug, east, 3)
    cup = ProductFactory(sku="CUP", reorder_point=2, reorder_quantity=20)
    tee = ProductFactory(sku="TEE")
    give_stock(tee, east, 1000)
    return mug, cup, tee


def backordered(channel, count: int, *, start: int = 0) -> list:
    """`count` orders short of one MUG and two CUPs each (TEE allocated in full)."""
    return [
        capture(
            channel,
            [("TEE", 1), ("MUG", 1), ("CUP", 2)],
            email=f"buyer{start + n}@example.com",
        )
        for n in range(count)
    ]


def queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_backordered_queue_shows_what_each_order_is_short_of(
    client, support_user, channel, shelf
):
    first = capture(channel, [("MUG", 5)])  # takes the three MUGs, two short
    second = capture(channel, [("TEE", 2), ("CUP", 1)], email="cup@example.com")
    ready = capture(channel, [("TEE", 1)], email="tee@example.com")
    client.force_login(support_user)

    response = client.get(QUEUE, {"queue": "backordered"})

    shortages = {
        order.number: [(shortage.sku, shortage.units) for shortage in order.shortages]
        for order in response.context["page"].orders
    }
    assert shortages == {first.number: [("MUG", 2)], second.number: [("CUP", 1)]}
    html = response.content.decode()
    assert "short MUG ×2" in html
    assert "short CUP ×1" in html
    everything = client.get(QUEUE, {"queue": "all"}).context["page"].orders
    assert [order.shortages for order in everything if order.number == ready.number] == [[]]


def test_the_shortages_cost_one_query_for_the_page_whatever_its_size(
    client, support_user, channel, shelf
):
    client.force_login(support_user)
    backordered(channel, 2)
    for n in range(2):
        capture(channel, [("TEE", 1)], email=f"ready{n}@example.com")
    ready_page = queries(client, {"queue": "ready"})
    few = queries(client, {"queue": "backordered"})
    backordered(channel, 12, start=2)
    many = queries(client, {"queue": "backordered"})
    assert many == few
    # A page of as many ready orders, plus the one query for the shortages.
    assert few == ready_page + 1


def test_low_stock_suggests_enough_for_the_backorders_too(client, support_user, channel, shelf):
    _, cup, _ = shelf
    orders = backordered(channel, 4)  # MUG: 3 allocated, 1 short; CUP: 8 short
    # A line added to a backordered order counts once it is short as well.
    order_line_add(order=orders[0], product=cup, quantity=3, unit_price=None, actor=support_user)
    client.force_login(support_user)

    response = client.get("/inventory/low-stock/")

    rows = {
        row.product.sku: (row.available, row.backordered, row.suggested_quantity)
        for row in response.context["rows"]
    }
    # MUG: twice the reorder point (10) plus the one unit short; CUP: its reorder quantity (20)
    # plus the eleven units short.
    assert rows == {"MUG": (0, 1, 11), "CUP": (0, 11, 31)}
    export = client.get("/inventory/low-stock/export.csv")
    table = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    columns = table[0]
    assert {
        row[0]: (
            row[columns.index("backordered")],
            row[columns.index("suggested_reorder_quantity")],
        )
        for row in table[1:]
    } == {"MUG": ("1", "11"), "CUP": ("11", "31")}
