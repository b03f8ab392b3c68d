"""The duplicate-suspect rule reads through its index, so its cost does not grow with volume.

Without an index on UPPER(email) the rule read every order placed in its ±10 minute window
(~84 ms per capture with 100k orders in it).
"""

from decimal import Decimal

import pytest
from django.db import connection

from orders.models import HoldReason, Order, OrderStatus
from orders.services.rules import duplicate_candidates, duplicate_candidates_query
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def mug():
    product = ProductFactory(sku="MUG", name="Stoneware mug", price=Decimal("16.00"))
    give_stock(product, WarehouseFactory(code="EAST", country="US"), 50)
    return product


def test_the_same_email_in_another_case_is_still_a_suspected_duplicate(mug):
    first = capture(SalesChannelFactory(code="web"), [("MUG", 1)], email="ada@example.com")
    second = capture(SalesChannelFactory(code="shop"), [("MUG", 1)], email="ADA@Example.COM")
    assert second.status == OrderStatus.ON_HOLD
    assert first.number in second.holds.get(reason=HoldReason.DUPLICATE_SUSPECT).note


@pytest.mark.postgres
def test_the_rule_reads_the_email_and_placed_at_index(mug):
    web = SalesChannelFactory(code="web")
    for n in range(30):
        capture(web, [("MUG", 1)], email=f"shopper{n}@example.com")
    order = capture(SalesChannelFactory(code="shop"), [("MUG", 1)], email="Shopper7@example.com")

    # A table this small is cheapest to read whole; forbid that to see which index the
    # planner matches to the rule's own query (the same queryset capture runs).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
        cursor.execute("SET LOCAL enable_seqscan = off")
    sql, params = duplicate_candidates_query(
        order.email, order.placed_at, order.channel_id, order.pk
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "order_email_upper_placed" in plan, plan
    [(pk, _, code)] = duplicate_candidates(order)
    assert (Order.objects.get(pk=pk).email, code) == ("shopper7@example.com", "web")
