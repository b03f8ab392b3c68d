"""Each queue filter and the queue's search return exactly the right orders."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from orders.services import order_hold, order_note_add
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, address, capture

pytestmark = pytest.mark.django_db

QUEUE = reverse("orders:queue")


@pytest.fixture
def shop():
    """Two channels, two warehouses (TEE only in EAST, MUG only in WEST) and four orders."""
    give_stock(ProductFactory(sku="TEE"), WarehouseFactory(code="EAST", priority=1), 100)
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="WEST", priority=2), 100)
    web, market = SalesChannelFactory(code="web"), SalesChannelFactory(code="market")
    now = timezone.now()
    orders = {
        "ada": capture(
            web,
            [("TEE", 1)],
            email="ada@example.com",
            first_name="Ada",
            last_name="Lovelace",
            phone="+1 555 0100",
            external_id="WEB-1001",
            placed_at=now - timedelta(days=10),
        ),
        "grace": capture(
            market,
            [("MUG", 2)],
            email="grace@example.com",
            first_name="Grace",
            last_name="Hopper",
            phone="+1 555 0199",
            external_id="AMZ-77",
            placed_at=now - timedelta(days=3),
            shipping_address=address(name="Grace Hopper"),
        ),
        "alan": capture(
            web,
            [("TEE", 1), ("MUG", 1)],
            email="alan@example.com",
            first_name="Alan",
            last_name="Turing",
            placed_at=now - timedelta(hours=2),
        ),
        "edsger": capture(
            market,
            [("RARE-BOOK", 1)],
            email="edsger@example.com",
            first_name="Edsger",
            last_name="Dijkstra",
            placed_at=now - timedelta(hours=1),
        ),
    }
    return {name: Order.objects.get(pk=order.pk) for name, order in orders.items()}


def found(client, **params) -> set[str]:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return {order.number for order in response.context["page"].orders}


def names(shop, *keys) -> set[str]:
    return {shop[key].number for key in keys}


@pytest.fixture
def signed_in(client, support_user):
    client.force_login(support_user)
    return client


def test_status_filter(signed_in, shop):
    assert found(signed_in, status="ready") == names(shop, "ada", "grace", "alan")
    assert found(signed_in, status="on_hold") == names(shop, "edsger")


def test_channel_filter(signed_in, shop):
    assert found(signed_in, channel="market") == names(shop, "grace", "edsger")


def test_payment_status_filter(signed_in, shop):
    Order.objects.filter(pk=shop["grace"].pk).update(payment_status=Order.PaymentStatus.FAILED)
    assert found(signed_in, payment_status="failed") == names(shop, "grace")


def test_date_range_filter(signed_in, shop):
    today = timezone.localdate()
    start = (today - timedelta(days=4)).isoformat()
    end = (today - timedelta(days=2)).isoformat()
    assert found(signed_in, date_from=start, date_to=end) == names(shop, "grace")
    assert found(signed_in, date_to=(today - timedelta(days=5)).isoformat()) == names(shop, "ada")


def test_an_inverted_date_range_is_explained(signed_in, shop):
    today = timezone.localdate()
    response = signed_in.get(
        QUEUE, {"date_from": today.isoformat(), "date_to": (today - timedelta(days=9)).isoformat()}
    )
    assert "Must be on or after the start date." in response.content.decode()


def test_warehouse_filter(signed_in, shop):
    assert found(signed_in, warehouse="WEST") == names(shop, "grace", "alan")
    assert found(signed_in, warehouse="EAST") == names(shop, "ada", "alan")


def test_has_notes_filter(signed_in, shop, support_user):
    order_note_add(order=shop["alan"], text="Gift wrap", actor=support_user)
    assert found(signed_in, has_notes="on") == names(shop, "alan")


def test_hold_reason_filter(signed_in, shop):
    order_hold(order=shop["ada"], reason="fraud_review", actor=None)
    order_hold(order=shop["ada"], reason="customer_request", actor=None)
    order_hold(order=shop["grace"], reason="customer_request", actor=None)
    assert found(signed_in, queue="attention", hold_reason="customer_request") == names(
        shop, "ada", "grace"
    )
    assert found(signed_in, hold_reason="unknown_sku") == names(shop, "edsger")
    assert found(signed_in, queue="attention") == names(shop, "ada", "grace", "edsger")


def test_filters_combine(signed_in, shop):
    assert found(signed_in, channel="web", warehouse="WEST") == names(shop, "alan")


def test_an_unknown_filter_value_is_ignored_not_an_error(signed_in, shop):
    assert found(signed_in, status="teleported") == names(shop, "ada", "grace", "alan", "edsger")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("number", "grace"),
        ("digits", "grace"),
        ("AMZ-77", "grace"),
        ("grace@example.com", "grace"),
        ("GRACE@example.com", "grace"),
        ("+1 555 0199", "grace"),
        ("Hopper", "grace"),
        ("Grace Hopper", "grace"),
        ("RARE-BOOK", "edsger"),
    ],
)
def test_search_finds_an_order_by_what_a_customer_quotes(signed_in, shop, text, expected):
    if text == "number":
        text = shop["grace"].number
    elif text == "digits":
        text = str(shop["grace"].pk)
    assert found(signed_in, q=text) == names(shop, expected)


def test_search_by_sku_finds_every_order_with_it(signed_in, shop):
    assert found(signed_in, q="MUG") == names(shop, "grace", "alan")


def test_search_within_a_queue(signed_in, shop):
    assert found(signed_in, q="MUG", channel="web") == names(shop, "alan")
    assert found(signed_in, q="nobody@example.com") == set()


def test_the_url_holds_the_filters_and_the_form_shows_them(signed_in, shop):
    response = signed_in.get(QUEUE, {"channel": "market", "sort": "oldest", "after": "1:x"})
    html = response.content.decode()
    assert '<option value="market" selected>' in html
    assert '<option value="oldest" selected>' in html
    assert response.context["query"] == "channel=market&sort=oldest"


def test_exact_placement_bounds_and_open_only_filter_the_queue(client, support_user):
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import Order
    from orders.services import order_cancel
    from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
    from tests.orders.factories import SalesChannelFactory, capture

    give_stock(ProductFactory(sku="BND"), WarehouseFactory(code="BND"), 10)
    channel = SalesChannelFactory(code="bounds")
    now = timezone.now()
    old, recent, gone = (capture(channel, [("BND", 1)]) for _ in range(3))
    Order.objects.filter(pk=old.pk).update(placed_at=now - timedelta(hours=30))
    Order.objects.filter(pk=recent.pk).update(placed_at=now - timedelta(hours=2))
    Order.objects.filter(pk=gone.pk).update(placed_at=now - timedelta(hours=3))
    order_cancel(order=gone, reason="test", actor=support_user)
    client.force_login(support_user)
    after = (now - timedelta(hours=4)).isoformat()
    response = client.get("/orders/", {"placed_after": after, "open": "on", "channel": "bounds"})
    numbers = [order.number for order in response.context["page"].orders]
    assert numbers == [recent.number]
    assert 'data-testid="exact-filter"' in response.content.decode()
    everything = client.get("/orders/", {"placed_after": after, "channel": "bounds"})
    assert sorted(o.number for o in everything.context["page"].orders) == sorted(
        [recent.number, gone.number]
    )
