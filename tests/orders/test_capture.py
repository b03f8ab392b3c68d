from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends import locmem

from inventory.errors import InsufficientStock
from inventory.models import StockLevel
from oms.errors import InvalidTransition
from orders.errors import DuplicateOrder, OrderInvalid
from orders.models import Allocation, HoldReason, Order, OrderEvent, OrderStatus
from orders.sla import add_business_hours
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, address, capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    return SalesChannelFactory(code="web", sla_hours=24)


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", country="US", priority=1)


@pytest.fixture
def mug(east):
    product = ProductFactory(sku="MUG", name="Stoneware mug", price=Decimal("16.00"))
    give_stock(product, east, 10)
    return product


def test_capture_stores_allocates_and_says_ready(channel, mug, east):
    order = capture(
        channel,
        [("MUG", 2, "16.00")],
        shipping_total=Decimal("5.00"),
        tax_total=Decimal("2.50"),
        discount_total=Decimal("1.00"),
    )
    assert order.number == f"SO-{order.pk:06d}"
    assert order.status == OrderStatus.READY
    assert (order.subtotal, order.grand_total) == (Decimal("32.00"), Decimal("38.50"))
    assert order.fulfillment_status == "allocated"
    # The channel's 24 h SLA, counted in business hours (weekends skipped).
    assert order.ship_by == add_business_hours(order.placed_at, 24)
    allocation = Allocation.objects.get()
    assert (allocation.quantity, allocation.stock_level.warehouse) == (2, east)
    assert StockLevel.objects.get(product=mug).allocated == 2
    types = list(order.events.values_list("type", flat=True))
    assert types[:2] == ["captured", "status_changed"]
    assert "allocated" in types
    reason = order.events.get(type="allocated").message
    assert reason == "Allocated from EAST: the highest-priority warehouse that has every line."


def test_capture_backorders_what_is_missing(channel, mug):
    order = capture(channel, [("MUG", 14)])
    assert order.status == OrderStatus.BACKORDERED
    assert order.fulfillment_status == "partially_allocated"
    assert StockLevel.objects.get(product=mug).allocated == 10


def test_no_backorder_refuses_and_stores_nothing(channel, mug):
    with pytest.raises(InsufficientStock):
        capture(channel, [("MUG", 11)], allow_backorder=False)
    assert Order.objects.count() == 0
    assert StockLevel.objects.get(product=mug).allocated == 0


def test_same_external_id_twice_is_a_duplicate_naming_the_first(channel, mug):
    first = capture(channel, [("MUG", 1)], external_id="A-1")
    with pytest.raises(DuplicateOrder) as error:
        capture(channel, [("MUG", 1)], external_id="A-1")
    assert error.value.existing_number == first.number
    assert Order.objects.count() == 1
    other_channel = SalesChannelFactory(code="pos")
    assert capture(other_channel, [("MUG", 1)], external_id="A-1").pk != first.pk


def test_unknown_sku_is_captured_and_held(channel, mug):
    order = capture(channel, [("MUG", 1), ("NOPE", 2)])
    assert order.status == OrderStatus.ON_HOLD
    hold = order.holds.get()
    assert (hold.reason, hold.note) == (HoldReason.UNKNOWN_SKU, "Unknown SKU: NOPE")
    assert StockLevel.objects.get(product=mug).allocated == 1


def test_incomplete_address_is_captured_and_held(channel, mug):
    order = capture(channel, [("MUG", 1)], shipping_address=address(postal_code="", country="USA"))
    assert order.status == OrderStatus.ON_HOLD
    note = order.holds.get(reason=HoldReason.ADDRESS_INVALID).note
    assert "postal code is missing" in note
    assert "country 'USA' is not an ISO two-letter code" in note


def test_big_order_goes_to_fraud_review(mug):
    channel = SalesChannelFactory(code="big", review_threshold=Decimal("100.00"))
    order = capture(channel, [("MUG", 7, "16.00")])
    assert order.status == OrderStatus.ON_HOLD
    assert order.holds.get().reason == HoldReason.FRAUD_REVIEW


def test_same_basket_from_same_email_on_another_channel_is_a_suspected_duplicate(channel, mug):
    first = capture(channel, [("MUG", 1)])
    second = capture(SalesChannelFactory(code="shop"), [("MUG", 1)])
    assert first.status == OrderStatus.READY
    assert second.status == OrderStatus.ON_HOLD
    assert first.number in second.holds.get(reason=HoldReason.DUPLICATE_SUSPECT).note


def test_channel_total_mismatch_holds_the_order(channel, mug):
    order = capture(channel, [("MUG", 1, "16.00")], channel_grand_total=Decimal("99.00"))
    assert order.status == OrderStatus.ON_HOLD
    assert "Totals do not add up" in order.holds.get().note


def test_bad_quantities_and_email_are_field_errors(channel, mug):
    with pytest.raises(OrderInvalid) as error:
        capture(channel, [("MUG", 0)], email="not-an-email")
    assert set(error.value.fields) == {"lines.0.quantity", "customer.email"}
    assert Order.objects.count() == 0


def test_customer_is_found_by_email_case_insensitively(channel, mug):
    first = capture(channel, [("MUG", 1)], email="Ada@Example.com")
    second = capture(channel, [("MUG", 1)], email="ada@example.com")
    assert first.customer_id == second.customer_id


def test_confirmation_email_is_sent_once_after_commit(
    channel, mug, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = capture(channel, [("MUG", 1)])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Your order {order.number}"
    assert "Stoneware mug" in mail.outbox[0].body
    assert OrderEvent.objects.filter(order=order, type="email_sent").count() == 1


def test_no_confirmation_when_the_order_is_not_news_to_the_customer(
    channel, mug, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        capture(channel, [("MUG", 1)], notify_customer=False)
    assert mail.outbox == []


def test_an_owed_confirmation_is_sent_once_even_if_asked_twice(channel, mug):
    from orders.services import order_confirmation_send

    order = capture(channel, [("MUG", 1)])  # no commit here, so the task never ran
    assert Order.objects.get(pk=order.pk).confirmation_due is True
    assert order_confirmation_send(order_id=order.pk) is True
    assert order_confirmation_send(order_id=order.pk) is False
    assert len(mail.outbox) == 1
    assert Order.objects.get(pk=order.pk).confirmation_due is False


def test_the_sweeper_sends_confirmations_a_lost_message_left_owed(channel, mug):
    from datetime import timedelta

    from django.utils import timezone

    from orders.tasks import sweep_confirmations

    order = capture(channel, [("MUG", 1)], placed_at=timezone.now() - timedelta(minutes=30))
    fresh = capture(channel, [("MUG", 1)], email="new@example.com")
    assert sweep_confirmations() == 1
    assert [message.to for message in mail.outbox] == [[order.email]]
    assert Order.objects.get(pk=fresh.pk).confirmation_due is True


def test_a_refused_email_stays_owed(channel, mug, settings):
    from orders.services import order_confirmation_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    order = capture(channel, [("MUG", 1)])
    with pytest.raises(OSError):
        order_confirmation_send(order_id=order.pk)
    refused = Order.objects.get(pk=order.pk)
    # Still owed, and the lease is given back so the task's retry may send it at once.
    assert (refused.confirmation_due, refused.confirmation_leased_until) == (True, None)
    assert not order.events.filter(type="email_sent").exists()


def test_a_confirmation_leased_by_a_live_worker_is_left_alone_until_the_lease_runs_out(
    channel, mug
):
    from datetime import timedelta

    from django.utils import timezone

    from orders.services import order_confirmation_send, order_confirmation_sweep
    from orders.services.notifications import CONFIRMATION_GRACE, CONFIRMATION_LEASE

    order = capture(channel, [("MUG", 1)], placed_at=timezone.now() - timedelta(minutes=30))
    leased_until = timezone.now() + CONFIRMATION_LEASE
    Order.objects.filter(pk=order.pk).update(confirmation_leased_until=leased_until)
    assert order_confirmation_send(order_id=order.pk) is False
    assert order_confirmation_sweep() == 0
    assert mail.outbox == []

    assert order_confirmation_sweep(now=leased_until + timedelta(seconds=1)) == 1
    assert [message.to for message in mail.outbox] == [[order.email]]
    sent = Order.objects.get(pk=order.pk)
    assert (sent.confirmation_due, sent.confirmation_leased_until) == (False, None)
    assert order_confirmation_sweep(now=timezone.now() + CONFIRMATION_GRACE) == 0


# A batch: one lease, the orders and their lines, then one savepoint, UPDATE, INSERT and release
# per RECORD_EVERY emails sent — whatever the batch size up to that.
BATCH_QUERIES = 7


def owed_confirmations(channel, count: int) -> list[Order]:
    """`count` orders owing their confirmation, oldest first (no commit here, so none was sent)."""
    give_stock(ProductFactory(sku="CUP", price=Decimal("9.00")), WarehouseFactory(), count)
    return [capture(channel, [("CUP", 1)], email=f"shopper{n}@example.com") for n in range(count)]


@pytest.mark.parametrize("count", [3, 20])
def test_a_batch_sends_every_owed_confirmation_in_the_same_few_queries(
    channel, count, django_assert_max_num_queries
):
    from orders.services import order_confirmations_send_owed

    orders = owed_confirmations(channel, count)
    with django_assert_max_num_queries(BATCH_QUERIES):
        assert order_confirmations_send_owed() == count

    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([order.email], f"Your order {order.number}") for order in orders
    ]
    assert "1 × " in mail.outbox[0].body  # rendered with the order's lines
    assert not Order.objects.filter(confirmation_due=True).exists()
    assert not Order.objects.filter(confirmation_leased_until__isnull=False).exists()
    sent = OrderEvent.objects.filter(type="email_sent").order_by("order_id")
    assert [(event.order_id, event.message) for event in sent] == [
        (order.pk, f"Sent the order confirmation email to {order.email}.") for order in orders
    ]


def test_a_batch_leaves_alone_a_confirmation_another_worker_has_leased(channel):
    from datetime import timedelta

    from django.utils import timezone

    from orders.services import order_confirmations_send_owed

    first, leased, last = owed_confirmations(channel, 3)
    leased_until = timezone.now() + timedelta(minutes=1)
    Order.objects.filter(pk=leased.pk).update(confirmation_leased_until=leased_until)

    assert order_confirmations_send_owed() == 2
    assert [message.to for message in mail.outbox] == [[first.email], [last.email]]
    leased.refresh_from_db()
    assert (leased.confirmation_due, leased.confirmation_leased_until) == (True, leased_until)
    assert not leased.events.filter(type="email_sent").exists()


def test_a_mail_server_refusing_mid_batch_keeps_what_it_took_and_leaves_the_rest_owed(
    channel, mail_server, settings
):
    import smtplib

    from orders.services import order_confirmations_send_owed

    orders = owed_confirmations(channel, 5)
    mail_server.use_for(settings)
    mail_server.refuse_message(3)
    with pytest.raises(smtplib.SMTPDataError):  # an OSError: the task retries
        order_confirmations_send_owed()

    assert mail_server.connections == 1  # one conversation carried the batch
    assert [message["To"] for message in mail_server.messages] == [
        order.email for order in orders[:2]
    ]
    for order in orders:
        order.refresh_from_db()
    assert [(order.confirmation_due, order.confirmation_leased_until) for order in orders] == [
        (False, None),
        (False, None),
        (True, None),  # refused: owed, and its lease given back for the retry
        (True, None),
        (True, None),
    ]
    assert [order.events.filter(type="email_sent").count() for order in orders] == [1, 1, 0, 0, 0]


def test_a_batch_records_what_it_sent_as_it_goes(channel, settings, monkeypatch):
    """A worker killed late in a batch sends again at most the emails of its last chunk."""
    from orders.services import notifications

    monkeypatch.setattr(notifications, "RECORD_EVERY", 2)
    settings.EMAIL_BACKEND = f"{__name__}.RecordedWhenSendingBackend"
    RecordedWhenSendingBackend.recorded = []
    owed_confirmations(channel, 5)

    assert notifications.order_confirmations_send_owed() == 5
    # How many were recorded as sent as each email went out: a kill there re-sends the rest.
    assert RecordedWhenSendingBackend.recorded == [0, 0, 2, 2, 4]
    assert OrderEvent.objects.filter(type="email_sent").count() == 5


def test_a_batch_out_of_sending_time_gives_the_rest_back_and_asks_for_the_next(
    channel, monkeypatch
):
    from datetime import timedelta

    from orders.services import notifications
    from orders.tasks import send_owed_confirmations

    monkeypatch.setattr(notifications, "BATCH_SENDING_TIME", timedelta(0))
    asked = []
    monkeypatch.setattr(send_owed_confirmations, "delay", lambda: asked.append("batch"))
    first, *rest = owed_confirmations(channel, 3)

    assert notifications.order_confirmations_send_owed() == 1
    assert [message.to for message in mail.outbox] == [[first.email]]
    assert list(
        Order.objects.filter(pk__in=[order.pk for order in rest]).values_list(
            "confirmation_due", "confirmation_leased_until"
        )
    ) == [(True, None), (True, None)]
    assert asked == ["batch"]


class RecordedWhenSendingBackend(locmem.EmailBackend):
    """Notes, for each email it is handed, how many orders were already recorded as sent."""

    recorded: list[int] = []

    def send_messages(self, messages):
        for _ in messages:
            self.recorded.append(Order.objects.filter(confirmation_due=False).count())
        return super().send_messages(messages)


def test_a_role_that_may_not_place_orders_captures_nothing(channel, mug, fulfillment_user):
    with pytest.raises(InvalidTransition, match="Your role may not have a new order placed"):
        capture(channel, [("MUG", 1)], actor=fulfillment_user)
    assert Order.objects.count() == 0
    assert StockLevel.objects.get(product=mug).allocated == 0
