"""Receiving stock says which backordered orders it made ready.

The release runs after the receipt commits, so these tests commit for real (a transactional
database) with tasks in-process, as `make run` works.
"""

import pytest
from django.urls import reverse

from inventory.backorders import stock_receive_releasing
from inventory.models import StockLevel
from inventory.views.common import released_sentence
from orders.models import OrderStatus
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", country="US", priority=1)


@pytest.fixture
def mug(east):
    product = ProductFactory(sku="MUG", barcode="5012345678900")
    give_stock(product, east, 1)
    return product


@pytest.fixture
def waiting(mug):
    """Three orders backordered on MUG (2, 3 and 4 units short), oldest first."""
    channel = SalesChannelFactory(code="web")
    capture(channel, [("MUG", 1)])  # takes the one unit in stock
    return [
        capture(channel, [("MUG", quantity)], email=f"buyer{quantity}@example.com")
        for quantity in (2, 3, 4)
    ]


def statuses(orders) -> list[str]:
    for order in orders:
        order.refresh_from_db()
    return [order.status for order in orders]


def test_the_product_page_receive_names_the_orders_it_made_ready(
    client, fulfillment_user, east, mug, waiting
):
    first, second, third = waiting
    client.force_login(fulfillment_user)

    response = client.post(
        reverse("inventory:product_receive", kwargs={"sku": "MUG"}),
        {"warehouse": "EAST", "quantity": "6", "reference": "PO-77"},
        **HTMX,
    )

    assert response.status_code == 200
    assert (
        f"Received 6 units of MUG at EAST; 7 on hand. {first.number} and {second.number} "
        "are now ready." in response.content.decode()
    )
    assert statuses(waiting) == [OrderStatus.READY, OrderStatus.READY, OrderStatus.BACKORDERED]
    # The last unit went to the third order, which still waits for three; every unit was given
    # once (the worker nudge that followed the receipt found nothing left to do).
    level = StockLevel.objects.get(product=mug, warehouse=east)
    assert (level.on_hand, level.allocated) == (7, 7)
    assert third.lines.get().allocations.get().quantity == 1


def test_the_scanner_receive_screen_names_the_orders_it_made_ready(
    client, fulfillment_user, east, mug, waiting
):
    client.force_login(fulfillment_user)

    response = client.post(
        "/inventory/receive/",
        {
            "warehouse": "EAST",
            "reference": "PO-78",
            "code": "",
            "line_sku": ["MUG"],
            "line_quantity": ["2"],
            "intent": "receive",
        },
        follow=True,
    )

    assert (
        f"Received 2 units on 1 line at EAST under PO-78. {waiting[0].number} is now ready."
        in response.content.decode()
    )
    assert statuses(waiting)[0] == OrderStatus.READY


def test_a_receipt_that_readies_nothing_says_only_what_was_received(
    client, fulfillment_user, east, mug, waiting
):
    client.force_login(fulfillment_user)
    response = client.post(
        reverse("inventory:product_receive", kwargs={"sku": "MUG"}),
        {"warehouse": "EAST", "quantity": "1"},
        **HTMX,
    )
    html = response.content.decode()
    assert "Received 1 unit of MUG at EAST; 2 on hand." in html
    assert "now ready" not in html
    # The unit went to the oldest waiting order, which still lacks one.
    assert statuses(waiting) == [OrderStatus.BACKORDERED] * 3
    assert StockLevel.objects.get(product=mug, warehouse=east).allocated == 2


def test_the_receipt_stands_when_nobody_waits(east):
    tee = ProductFactory(sku="TEE")
    receipt = stock_receive_releasing(warehouse=east, lines=[(tee, 4)], reference="PO-1")
    assert receipt.released == []
    assert [level.on_hand for level in receipt.levels] == [4]


def test_a_long_list_of_released_orders_is_cut_short():
    numbers = [f"SO-{n:06d}" for n in range(1, 9)]
    assert released_sentence(numbers[:1]) == " SO-000001 is now ready."
    assert released_sentence(numbers[:3]) == " SO-000001, SO-000002 and SO-000003 are now ready."
    assert released_sentence(numbers) == (
        " SO-000001, SO-000002, SO-000003, SO-000004, SO-000005 and 3 more are now ready."
    )
    assert released_sentence([]) == ""
