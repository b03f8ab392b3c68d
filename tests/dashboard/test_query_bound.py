"""The dashboard's figures cost the same number of queries whatever the shop's size: every
figure is one grouped query (or two), never a query per order, SKU or parcel."""

from decimal import Decimal
from itertools import count

import pytest

from dashboard.periods import period_from
from dashboard.selectors import dashboard
from orders.services import order_cancel, order_hold
from payments.services import payment_refund
from returns.services import ReturnLineData, return_create
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture
from tests.payments.factories import run_owed
from tests.returns.factories import shipped_order
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

pytestmark = pytest.mark.django_db
# What `dashboard()` may run, with or without a channel; the page adds its own few.
QUERY_BOUND = 18
CUSTOMERS = count()


@pytest.fixture
def shop(db):
    east = WarehouseFactory(code="EAST", priority=1, country="US", postal_code="07114")
    skus = ("MUG", "TEE", "CAP", "BAG")
    for sku in skus:
        give_stock(ProductFactory(sku=sku, price=Decimal("10.00"), reorder_point=5), east, 40)
    ProductFactory(sku="OUT", reorder_point=3)  # never stocked: backorders wait for it
    ground = ShippingMethodFactory(carrier=CarrierFactory(code="sbx"), code="ground")
    ShippingRateFactory(method=ground, up_to_grams=20_000, base=Decimal("5.00"))
    return {
        "skus": skus,
        "web": SalesChannelFactory(code="web", currency="USD"),
        "eu": SalesChannelFactory(code="eu", currency="EUR"),
    }


def grow(shop, rounds: int, staff) -> None:
    """`rounds` times, in each channel, an order of each fate: shipped (then returned and
    partly refunded), ready, backordered, held and cancelled; each round on another SKU."""
    support, packer = staff
    for round_ in range(rounds):
        for channel in (shop["web"], shop["eu"]):
            sku = shop["skus"][round_ % len(shop["skus"])]
            # Each order from another customer (the same basket twice looks like a duplicate).
            currency = {"currency": channel.currency, "email": f"c{next(CUSTOMERS)}@example.com"}
            shipped = shipped_order(channel, [(sku, 1), ("MUG", 1)], packer=packer, **currency)
            return_create(
                order=shipped,
                lines=[ReturnLineData(sku, 1, "defective")],
                resolution="refund",
                actor=support,
            )
            payment_refund(order=shipped, amount="5.00", reason="goodwill", actor=support)
            for lines in ([(sku, 1)], [("OUT", 2)]):
                capture(channel, lines, **{**currency, "email": f"c{next(CUSTOMERS)}@x.com"})
            held = capture(
                channel, [(sku, 1)], **{**currency, "email": f"c{next(CUSTOMERS)}@x.com"}
            )
            order_hold(order=held, reason="fraud_review")
            dropped = capture(
                channel, [(sku, 1)], **{**currency, "email": f"c{next(CUSTOMERS)}@x.com"}
            )
            order_cancel(order=dropped, reason="test")
    run_owed()


def queries_of(django_assert_max_num_queries, **kwargs) -> int:
    with django_assert_max_num_queries(QUERY_BOUND) as captured:
        board = dashboard(**kwargs)
    assert board.orders.orders  # the figures saw the data
    return len(captured.captured_queries)


@pytest.mark.parametrize("preset", ["today", "7d", "30d"])
def test_the_dashboard_runs_the_same_queries_for_a_few_orders_and_for_many(
    shop, support_user, fulfillment_user, django_assert_max_num_queries, preset
):
    period, _ = period_from({"period": preset})
    staff = (support_user, fulfillment_user)
    grow(shop, 1, staff)
    few = queries_of(django_assert_max_num_queries, period=period)
    few_in_channel = queries_of(django_assert_max_num_queries, period=period, channel=shop["eu"])
    grow(shop, 4, staff)
    board = dashboard(period=period)
    # Five rounds in two channels, five orders each: one of them cancelled.
    assert (board.orders.orders, board.orders.cancelled) == (5 * 2 * 4, 5 * 2)
    assert len(board.return_rates) > 1 and board.refunds and board.backorders
    many = queries_of(django_assert_max_num_queries, period=period)
    many_in_channel = queries_of(django_assert_max_num_queries, period=period, channel=shop["eu"])
    assert many == few
    assert many_in_channel == few_in_channel
