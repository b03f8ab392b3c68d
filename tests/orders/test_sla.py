"""Ship-by in business hours (weekends skipped); at-risk and late queues; late noted once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from orders.models import Order, OrderEvent
from orders.services import orders_note_late
from orders.sla import add_business_hours
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2026-11-23T10:00", 24, "2026-11-24T10:00"),  # Monday → Tuesday
        ("2026-11-27T15:00", 24, "2026-11-30T15:00"),  # Friday → Monday, the weekend skipped
        ("2026-11-27T15:00", 48, "2026-12-01T15:00"),  # Friday → Tuesday
        ("2026-11-28T09:00", 24, "2026-12-01T00:00"),  # placed Saturday: counts from Monday
        ("2026-11-29T23:00", 1, "2026-11-30T01:00"),  # Sunday night → Monday 01:00
        ("2026-11-27T23:00", 2, "2026-11-30T01:00"),  # the last Friday hour, then Monday
        ("2026-11-23T10:00", 0, "2026-11-23T10:00"),
    ],
)
def test_business_hours_skip_weekends(start, hours, due):
    assert add_business_hours(at(start), hours) == at(due)


@pytest.fixture
def orders_due(db):
    mug = ProductFactory(sku="MUG")
    give_stock(mug, WarehouseFactory(code="EAST"), 100)
    channel = SalesChannelFactory(code="web")
    now = timezone.now()

    def order_due_in(hours: float) -> Order:
        order = capture(channel, [("MUG", 1)])
        Order.objects.filter(pk=order.pk).update(ship_by=now + timedelta(hours=hours))
        return order

    return now, order_due_in


def test_at_risk_is_due_within_four_hours_and_not_late_yet(orders_due):
    now, due_in = orders_due
    soon, later, late = due_in(3), due_in(5), due_in(-1)
    assert list(Order.objects.at_risk(now)) == [soon]
    assert list(Order.objects.late(now)) == [late]
    assert later not in Order.objects.at_risk(now)


def test_an_order_turning_late_is_noted_on_its_timeline_once(orders_due):
    now, due_in = orders_due
    late, on_time = due_in(-2), due_in(10)
    assert orders_note_late(now=now) == [late.number]
    assert orders_note_late(now=now) == []
    entry = OrderEvent.objects.get(type="late")
    assert entry.order == late and "ship-by" in entry.message
    assert not on_time.events.filter(type="late").exists()
