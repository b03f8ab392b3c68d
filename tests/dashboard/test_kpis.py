"""Every dashboard figure, exact, on a data set built by hand: two currencies, a cancellation,
refunds inside and outside the period, and a shop in New York (days are New York's)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dashboard.periods import period_from
from dashboard.selectors import dashboard
from orders.models import Order, OrderStatus
from orders.selectors import OrderFilters, order_list
from orders.services import order_cancel
from payments.models import PaymentTransaction
from payments.services import payment_record, payment_refund
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=NY)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=NY)


@pytest.fixture
def shop(settings, support_user):
    settings.TIME_ZONE = "America/New_York"
    east = WarehouseFactory(code="EAST")
    for sku in ("MUG", "TEE"):
        give_stock(ProductFactory(sku=sku), east, 500)
    web = SalesChannelFactory(code="web", currency="USD")
    eu = SalesChannelFactory(code="eu", currency="EUR")

    def order(channel, lines, placed, *, shipped=None, ship_by=None, **extra):
        made = capture(channel, lines, currency=channel.currency, **extra)
        Order.objects.filter(pk=made.pk).update(
            placed_at=placed,
            ship_by=ship_by or placed + timedelta(days=1),
            **({"status": OrderStatus.SHIPPED, "shipped_at": shipped} if shipped else {}),
        )
        return Order.objects.get(pk=made.pk)

    a = order(
        web,
        [("MUG", 2, "10.00")],
        at(2, 10),
        shipping_total=Decimal("5"),
        shipped=at(2, 20),
        ship_by=at(3, 10),
    )
    # 23:30 in New York on the 3rd is already the 4th in UTC: it belongs to the 3rd here.
    b = order(web, [("TEE", 1, "30.00")], at(3, 23, 30), shipped=at(4, 23, 30), ship_by=at(4, 12))
    c = order(eu, [("TEE", 2, "20.00")], at(4, 12), shipped=at(4, 14), ship_by=at(5, 12))
    d = order(web, [("MUG", 5, "10.00")], at(3, 9))
    order_cancel(order=d, reason="test", actor=support_user)
    # Outside the period: the evening of the 4th's next day, and the night before the 2nd
    # (that one is on the 2nd in UTC).
    order(web, [("MUG", 1, "99.00")], at(5, 0, 30))
    order(web, [("MUG", 1, "99.00")], at(1, 23, 30))
    # A's customer paid cash and got 5.00 back inside the period; 2.00 more after it.
    payment_record(order=a, amount="25.00", method="cash", actor=support_user)
    payment_refund(order=a, amount="5.00", reason="scratched", actor=support_user)
    payment_refund(order=a, amount="2.00", reason="later", actor=support_user)
    first, second = PaymentTransaction.objects.filter(kind="refund").order_by("id")
    PaymentTransaction.objects.filter(pk=first.pk).update(completed_at=at(3, 12))
    PaymentTransaction.objects.filter(pk=second.pk).update(completed_at=at(6, 12))
    return {"web": web, "eu": eu, "a": a, "b": b, "c": c, "order": order}


def period():
    found, problem = period_from(
        {"from": "2026-03-02", "to": "2026-03-04"}, today=date(2026, 3, 10)
    )
    assert problem == ""
    return found


def test_every_kpi_of_the_period_is_exact(shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        board = dashboard(period=period(), now=NOW)
    assert (board.orders.orders, board.orders.cancelled, board.orders.units) == (3, 1, 5)
    money = {m.currency: m for m in board.money}
    assert (money["USD"].gross, money["USD"].refunds, money["USD"].net) == (
        Decimal("55.00"),
        Decimal("5.00"),
        Decimal("50.00"),
    )
    assert (money["USD"].orders, money["USD"].average_order_value) == (2, Decimal("27.50"))
    assert (money["EUR"].gross, money["EUR"].net, money["EUR"].average_order_value) == (
        Decimal("40.00"),
        Decimal("40.00"),
        Decimal("40.00"),
    )
    # Shipped in the period after 10 h (on time), 24 h (late) and 2 h (on time).
    lead = board.lead_times
    assert (lead.shipped, lead.on_time, lead.on_time_share) == (3, 2, Decimal("0.6667"))
    assert (lead.median_hours, lead.p90_hours) == (10.0, 21.2)
    # Per day, in New York's days.
    assert {
        day: sum(f.orders for f in figures.values()) for day, figures in board.orders.by_day.items()
    } == {
        date(2026, 3, 2): 1,
        date(2026, 3, 3): 1,
        date(2026, 3, 4): 1,
    }
    assert board.days == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert set(board.orders.by_channel) == {"web", "eu"}
    assert board.orders.by_channel["web"]["USD"].gross == Decimal("55.00")


def test_a_channel_filter_narrows_every_figure(shop):
    board = dashboard(period=period(), channel=shop["eu"], now=NOW)
    assert (board.orders.orders, board.orders.units) == (1, 2)
    assert [(m.currency, m.gross, m.refunds) for m in board.money] == [
        ("EUR", Decimal("40.00"), Decimal("0"))
    ]
    assert board.lead_times.shipped == 1


def test_the_pipeline_counts_open_orders_by_status_and_age_and_flags_bottlenecks(shop):
    order, web = shop["order"], shop["web"]
    ages = {"fresh": 2, "day": 10, "old": 48, "ancient": 120}
    made = {}
    for name, hours in ages.items():
        placed = NOW - timedelta(hours=hours)
        # Due 24 h after placing: the two oldest are past their ship-by.
        made[name] = order(web, [("MUG", 1, "10.00")], placed, ship_by=placed + timedelta(hours=24))
    board = dashboard(period=period(), now=NOW)
    cells = {(cell.status, cell.bucket): cell for cell in board.pipeline}
    ready = [
        (cells[("ready", key)].orders, cells[("ready", key)].late)
        for key in ("under_4h", "4_24h", "1_3d", "over_3d")
    ]
    # Over 3 days: the ancient one and the two ready orders placed outside the period.
    assert ready == [(1, 0), (1, 0), (1, 1), (3, 3)]
    assert board.open_orders == 6
    assert board.bottlenecks == {("ready", "over_3d"), ("ready", "1_3d")}
    # A cell's drill-down filters list exactly its orders.
    cell = cells[("ready", "1_3d")]
    listed = order_list(
        OrderFilters(
            status="ready", placed_after=cell.placed_after, placed_before=cell.placed_before
        )
    )
    assert list(listed) == [made["old"]]
    late = {row.key: (row.late, row.at_risk) for row in board.late_by_channel}
    assert late == {"web": (4, 0)}
    assert {row.key: row.late for row in board.late_by_warehouse} == {"EAST": 4}


def test_an_invalid_custom_period_falls_back_and_says_why():
    found, problem = period_from(
        {"from": "2026-03-05", "to": "2026-03-01"}, today=date(2026, 3, 10)
    )
    assert (found.key, problem) == ("7d", "The start date is after the end date.")
    found, problem = period_from(
        {"from": "0000-01-01", "to": "2026-03-01"}, today=date(2026, 3, 10)
    )
    assert problem == "Give both dates as YYYY-MM-DD."
    found, problem = period_from({"period": "today"}, today=date(2026, 3, 10))
    assert (found.first_day, found.last_day, found.days) == (
        date(2026, 3, 10),
        date(2026, 3, 10),
        1,
    )
