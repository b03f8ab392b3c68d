"""The demo's ninety days of history: made by the real services, moved back in time step by
step, and telling the dashboard's story (a warehouse falling behind).

Seeding the whole demo with its history takes about a minute, so one test seeds twice and
checks everything in between.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F, Max, Min, Sum
from django.test import override_settings
from django.utils import timezone

from dashboard.demo import EXTERNAL_PREFIX, HISTORY_DAYS, SLOW_SINCE
from dashboard.periods import period_from
from dashboard.selectors import dashboard
from inventory.audit import audit_ledger
from inventory.models import StockMovement
from orders.models import Order, OrderEvent, OrderStatus
from payments.models import Payment, PaymentTransaction
from returns.models import ReturnRequest, ReturnStatus
from shipping.models import Shipment, TrackingEvent

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_history_spans_ninety_days_in_order_and_shows_a_bottleneck():
    started = timezone.now()
    out = seed()
    history = Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
    made = history.count()
    assert f"history: new orders {made}," in out
    assert made > HISTORY_DAYS * 3

    # Ninety days of orders, none in the future.
    span = history.aggregate(first=Min("placed_at"), last=Max("placed_at"))
    assert span["first"] < started - timedelta(days=HISTORY_DAYS - 1)
    assert span["first"] >= started - timedelta(days=HISTORY_DAYS + 1)
    assert span["last"] < started

    # Every step was moved back to when it happened: nothing of the history is stamped today,
    # and each order's story runs forwards.
    recent = started - timedelta(minutes=30)
    assert not OrderEvent.objects.filter(order__in=history, created_at__gte=recent).exists()
    assert not history.filter(created_at__gte=recent).exists()
    shipped = history.filter(shipped_at__isnull=False)
    assert shipped.count() > made * 0.8
    assert not shipped.filter(shipped_at__lte=F("placed_at")).exists()
    assert not shipped.filter(shipped_at__gte=recent).exists()
    parcels = Shipment.objects.filter(order__in=history)
    assert not parcels.filter(shipped_at__lt=F("order__placed_at")).exists()
    assert not parcels.filter(delivered_at__lte=F("shipped_at")).exists()
    assert not TrackingEvent.objects.filter(
        shipment__order__in=history, occurred_at__lt=F("shipment__shipped_at")
    ).exists()
    first_event = OrderEvent.objects.filter(order__in=history).order_by("created_at").first()
    assert first_event.created_at >= span["first"] - timedelta(seconds=1)
    receipts = StockMovement.objects.filter(reference__startswith="PO-")
    assert receipts.count() >= HISTORY_DAYS // 7
    assert not receipts.filter(created_at__gte=recent).exists()

    # The money and the stock agree with what happened.
    assert audit_ledger()[1] == []
    payments = Payment.objects.filter(order__in=shipped)
    assert payments.count() == shipped.count()
    assert not payments.exclude(amount_captured=F("order__grand_total")).exists()
    # (Phone orders are charged once ready, so a cancelled one is refunded too.)
    refunds = PaymentTransaction.objects.filter(
        payment__order__in=shipped,
        kind=PaymentTransaction.Kind.REFUND,
        status=PaymentTransaction.Status.SUCCEEDED,
    )
    returns = ReturnRequest.objects.filter(order__in=history)
    assert returns.filter(status=ReturnStatus.REFUNDED).count() == refunds.count() > 0
    assert not refunds.filter(completed_at__lt=F("payment__order__shipped_at")).exists()
    assert (
        refunds.aggregate(total=Sum("amount"))["total"]
        == returns.aggregate(total=Sum("refund_amount"))["total"]
    )

    # The story: the slow warehouse left orders waiting past their ship-by, the pipeline shows
    # them as the bottleneck, and shipping got slower and later than over the month.
    waiting = history.filter(status=OrderStatus.READY)
    assert waiting.exists() and not waiting.filter(placed_at__lt=started - SLOW_SINCE).exists()
    week = dashboard(period=period_from({"period": "7d"})[0])
    month = dashboard(period=period_from({"period": "30d"})[0])
    assert {("ready", "over_3d"), ("ready", "1_3d")} & week.bottlenecks
    assert month.orders.orders > week.orders.orders > 0
    assert week.lead_times.median_hours > month.lead_times.median_hours
    assert week.lead_times.on_time_share < month.lead_times.on_time_share
    assert {money.currency for money in month.money} == {"EUR", "USD"}
    assert sum(reason.units for reason in month.return_reasons) > 0

    # A second run adds nothing.
    again = seed()
    assert f"history: new orders 0, shipped {shipped.count()}," in again
    assert history.count() == made
