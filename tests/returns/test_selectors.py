"""Return rates by SKU and by reason over a date range (what the dashboard reads)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from returns.models import ReturnLine, ReturnRequest
from returns.selectors import return_rates_by_sku, return_reasons
from returns.services import ReturnLineData, return_create, return_reject
from tests.orders.factories import SalesChannelFactory
from tests.returns.factories import shipped_order

pytestmark = pytest.mark.django_db


def test_return_rates_by_sku_and_reason(
    order, setup, support_user, fulfillment_user, django_assert_num_queries
):
    other = shipped_order(setup["web"], [("MUG", 3, "10.00")], packer=fulfillment_user)
    return_create(
        order=order,
        lines=[ReturnLineData("MUG", 1, "defective"), ReturnLineData("TEE", 1, "wrong_item")],
        resolution="refund",
        actor=support_user,
    )
    rejected = return_create(
        order=other,
        lines=[ReturnLineData("MUG", 2, "changed_mind")],
        resolution="refund",
        actor=support_user,
    )
    return_reject(rma=rejected, reason="too late", actor=support_user)
    return_create(
        order=other,
        lines=[ReturnLineData("MUG", 1, "defective")],
        resolution="refund",
        actor=support_user,
    )
    today = timezone.localdate()
    with django_assert_num_queries(2):
        rates = return_rates_by_sku(date_from=today, date_to=today)
    by_sku = {rate.sku: rate for rate in rates}
    # 5 mugs shipped, 2 asked back (the rejected return does not count): 40 %.
    assert (by_sku["MUG"].shipped, by_sku["MUG"].returned, by_sku["MUG"].rate) == (
        5,
        2,
        Decimal("0.4000"),
    )
    assert (by_sku["TEE"].shipped, by_sku["TEE"].returned, by_sku["TEE"].rate) == (
        1,
        1,
        Decimal("1"),
    )
    assert [rate.sku for rate in rates] == ["TEE", "MUG"]  # highest rate first
    reasons = {share.reason: share for share in return_reasons(date_from=today, date_to=today)}
    assert (reasons["defective"].units, reasons["defective"].share) == (2, Decimal("0.6667"))
    assert (reasons["wrong_item"].units, reasons["changed_mind"].units) == (1, 0)
    assert len(reasons) == 6
    yesterday = today - timedelta(days=1)
    assert return_rates_by_sku(date_from=yesterday, date_to=yesterday) == []
    assert ReturnRequest.objects.count() == 3


def test_return_lines_keep_their_sku_and_rates_follow_a_channel(
    order, setup, support_user, fulfillment_user
):
    other_channel = SalesChannelFactory(code="shop")
    elsewhere = shipped_order(other_channel, [("MUG", 4, "10.00")], packer=fulfillment_user)
    return_create(
        order=order,
        lines=[ReturnLineData("TEE", 1, "wrong_item")],
        resolution="refund",
        actor=support_user,
    )
    return_create(
        order=elsewhere,
        lines=[ReturnLineData("MUG", 3, "changed_mind")],
        resolution="refund",
        actor=support_user,
    )
    assert sorted(ReturnLine.objects.values_list("sku", "quantity")) == [("MUG", 3), ("TEE", 1)]
    today = timezone.localdate()
    web = {
        rate.sku: (rate.shipped, rate.returned)
        for rate in return_rates_by_sku(date_from=today, date_to=today, channel=setup["web"])
    }
    assert web == {"MUG": (2, 0), "TEE": (1, 1)}
    shop = return_rates_by_sku(date_from=today, date_to=today, channel=other_channel)
    assert [(rate.sku, rate.shipped, rate.returned) for rate in shop] == [("MUG", 4, 3)]
    reasons = return_reasons(date_from=today, date_to=today, channel=other_channel)
    assert {share.reason: share.units for share in reasons if share.units} == {"changed_mind": 3}
