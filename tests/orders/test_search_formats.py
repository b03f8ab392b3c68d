"""Search finds it: whatever a customer reads out on the phone — a phone number in any format
or its last four digits, an id or SKU in lower case, part of their email or name, the
channel's order name, a tracking or RMA number — finds their order, in the global search and
in the queue's, in a fixed number of queries."""

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from orders.models import Address, ChannelWebhookReceipt, Customer
from orders.selectors_search import search_order_ids
from orders.services import order_address_update
from returns.services import ReturnLineData, return_create
from shipping.models import Shipment
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, address, capture
from tests.returns.factories import shipped_order
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("orders:search")
QUEUE = reverse("orders:queue")
# The global search: session, user and roles; the customers list; the order lookups (the
# order's columns, customers, shipping addresses, lines, and the tracking or RMA number, each
# asked only of text that may be one); the newest matches and their rows with holds. The queue:
# its filters, tabs and counts, the same lookups, and one page.
SEARCH_QUERIES = 12
QUEUE_QUERIES = 20

SEARCH_MIGRATION = importlib.import_module("orders.migrations.0009_search_normalized_columns")

PHONE_FORMATS = ["616.234.9992", "616-234-9992", "6162349992", "(616) 234-9992"]


@pytest.fixture
def channel():
    east = WarehouseFactory(code="EAST", country="US", city="Newark", postal_code="07114")
    for sku in ("MUG-NAT-M", "TEE-BLK-M"):
        give_stock(ProductFactory(sku=sku, price=Decimal("12.00"), weight_grams=300), east, 50)
    ground = ShippingMethodFactory(carrier=CarrierFactory(code="sbx"), code="ground")
    ShippingRateFactory(method=ground, up_to_grams=20_000, base=Decimal("5.00"))
    return SalesChannelFactory(code="shop", name="Shopify store")


@pytest.fixture
def kimberly(channel, fulfillment_user, support_user):
    """Kimberly's order: shipped (a tracking number), with a return open (an RMA number)."""
    order = shipped_order(
        channel,
        [("MUG-NAT-M", 1)],
        packer=fulfillment_user,
        external_id="DEMO-00120",
        channel_order_name="#1042",
        email="kimberly.hamilton52@example.com",
        first_name="Kimberly",
        last_name="Hamilton",
        phone="616.234.9992",
        shipping_address=address(name="Kimberly Hamilton", phone="616.234.9992"),
    )
    return_create(
        order=order,
        lines=[ReturnLineData("MUG-NAT-M", 1, "defective")],
        resolution="refund",
        actor=support_user,
    )
    return order


@pytest.fixture
def others(channel):
    """Orders that must not be found by Kimberly's details."""
    return [
        capture(
            channel,
            [("TEE-BLK-M", 1)],
            external_id="DEMO-00131",
            email="lin.wu@example.com",
            first_name="Lin",
            last_name="Wu",
            phone="+1 212 555 0199",
            shipping_address=address(name="Lin Wu", phone="+1 212 555 0199"),
        ),
        capture(
            channel,
            [("TEE-BLK-M", 2)],
            external_id="WEB-7",
            email="kim.hamm@example.com",
            first_name="Kim",
            last_name="Hamm",
            phone="+1 616 555 0101",
            shipping_address=address(name="Kim Hamm", phone="+1 616 555 0101"),
        ),
    ]


def forms_of(order) -> list[str]:
    tracking = Shipment.objects.get(order=order).tracking_number
    rma = order.returns.get().number
    return [
        *PHONE_FORMATS,
        "+1 616 234 9992",
        "9992",
        "٩٩٩٢",  # the last digits in Arabic-Indic numerals
        "demo-00120",
        "mug-nat-m",
        "kimberly.hamilton52",
        "Kimberly Ham",
        "#1042",
        tracking.lower(),
        rma.lower(),
        rma.replace("-", " ").lower(),
    ]


def test_every_form_a_customer_reads_out_opens_their_order(client, support_user, kimberly, others):
    client.force_login(support_user)
    detail = reverse("orders:detail", args=[kimberly.number])
    for text in forms_of(kimberly):
        response = client.get(SEARCH, {"q": text})
        assert response.status_code == 302, text
        assert response["Location"] == detail, text


@pytest.mark.parametrize("text", PHONE_FORMATS)
def test_the_queue_search_finds_a_phone_number_in_any_format(
    client, support_user, kimberly, others, text
):
    client.force_login(support_user)
    response = client.get(QUEUE, {"q": text})
    assert [order.number for order in response.context["page"].orders] == [kimberly.number]


def test_the_queue_search_finds_every_form(client, support_user, kimberly, others):
    client.force_login(support_user)
    for text in forms_of(kimberly):
        response = client.get(QUEUE, {"q": text})
        assert [order.number for order in response.context["page"].orders] == [kimberly.number], (
            text
        )


def test_the_channel_order_name_is_found_without_its_hash(kimberly, others):
    # A bare number is also an order number (SO-001042), so it may find more than this one.
    assert kimberly.pk in search_order_ids("1042")


def test_the_order_page_shows_the_channel_order_name_beside_the_external_id(
    client, support_user, kimberly
):
    client.force_login(support_user)
    html = client.get(reverse("orders:detail", args=[kimberly.number])).content.decode()
    assert "<dd>DEMO-00120 (#1042)</dd>" in html


def test_the_start_of_an_external_id_lists_every_order_it_begins(
    client, support_user, kimberly, others
):
    client.force_login(support_user)
    response = client.get(SEARCH, {"q": "demo-001"})
    assert response.status_code == 200
    assert {order.number for order in response.context["results"].orders} == {
        kimberly.number,
        others[0].number,
    }


def test_part_of_a_name_lists_every_customer_it_may_mean(client, support_user, kimberly, others):
    client.force_login(support_user)
    response = client.get(SEARCH, {"q": "kim ham"})
    assert response.status_code == 200
    assert [customer.email for customer in response.context["customers"]] == [
        "kimberly.hamilton52@example.com",
        "kim.hamm@example.com",
    ]
    assert [customer.order_count for customer in response.context["customers"]] == [1, 1]
    assert response.context["results"].found == 2


def test_two_letters_match_only_whole_names(client, support_user, kimberly, others):
    client.force_login(support_user)
    assert client.get(SEARCH, {"q": "Wu"})["Location"] == reverse(
        "orders:detail", args=[others[0].number]
    )
    response = client.get(SEARCH, {"q": "ha"})
    assert response.context["results"].found == 0


def test_a_number_typed_with_its_country_code_finds_one_stored_without(channel):
    order = capture(
        channel,
        [("TEE-BLK-M", 1)],
        email="olu@example.com",
        phone="0161 496 0000",
        shipping_address=address(phone="", country="GB", region="", postal_code="M1 1AA"),
    )
    for text in ("+44 161 496 0000", "0044 161 496 0000", "0161 496 0000", "161 496 0000"):
        assert search_order_ids(text) == [order.pk], text


def test_the_stored_forms_follow_every_write(channel, support_user):
    order = capture(
        channel,
        [("TEE-BLK-M", 1)],
        email="mae@example.com",
        first_name="Mae",
        last_name="Jemison",
        phone="",
        shipping_address=address(phone="(616) 234-9992"),
    )
    customer = Customer.objects.get(email="mae@example.com")
    assert (customer.phone_normalized, customer.name_normalized) == ("", "mae jemison")
    assert Address.objects.get(pk=order.shipping_address_id).phone_normalized == "+16162349992"

    # A later order fills in the phone the customer had not given (a partial save).
    capture(channel, [("TEE-BLK-M", 1)], email="mae@example.com", phone="+1 (313) 555-0147")
    customer.refresh_from_db()
    assert customer.phone_normalized == "+13135550147"

    # An address edit changes what the order is found by.
    order_address_update(order=order, values={"phone": "313.555.0199"}, actor=support_user)
    assert Address.objects.get(pk=order.shipping_address_id).phone_normalized == "+13135550199"
    assert order.pk in search_order_ids("313-555-0199")
    assert order.pk not in search_order_ids("616-234-9992")


def test_add_line_and_the_manual_builder_take_a_sku_in_any_case(client, support_user, channel):
    order = capture(channel, [("TEE-BLK-M", 1)], shipping_address=address(phone="616 555 0100"))
    client.force_login(support_user)
    response = client.post(
        reverse("orders:line_add", args=[order.number]), {"sku": "mug-nat-m", "quantity": 2}
    )
    assert response.status_code == 302
    assert order.lines.filter(sku="MUG-NAT-M", quantity=2).exists()

    form = client.post("/manual-orders/", {"add_sku": "mug-nat-m"}, HTTP_HX_REQUEST="true")
    assert [line.sku for line in form.context["form"].lines] == ["MUG-NAT-M"]


@pytest.mark.parametrize(
    "text", ["%", "_", "\\", "#", "+", "()", "'", "%_%", "x" * 200, "rma-", "RMA x"]
)
def test_odd_text_finds_nothing_and_breaks_nothing(client, support_user, kimberly, text):
    client.force_login(support_user)
    response = client.get(SEARCH, {"q": text})
    assert response.status_code == 200
    assert response.context["results"].found == 0
    assert client.get(QUEUE, {"q": text}).status_code == 200


@pytest.mark.parametrize("where", ["search", "queue"])
def test_each_form_costs_a_fixed_number_of_queries(
    client, support_user, channel, kimberly, others, where, django_assert_max_num_queries
):
    for number in range(12):
        capture(
            channel,
            [("MUG-NAT-M", 1), ("TEE-BLK-M", 1)],
            external_id=f"DEMO-00120-{number}",
            email="kimberly.hamilton52@example.com",
            phone="616.234.9992",
            shipping_address=address(phone="616 234 9992"),
        )
    client.force_login(support_user)
    client.get(SEARCH, {"q": "warm up the session"})
    url, most = (SEARCH, SEARCH_QUERIES) if where == "search" else (QUEUE, QUEUE_QUERIES)
    for text in forms_of(kimberly):
        with django_assert_max_num_queries(most):
            response = client.get(url, {"q": text})
        assert response.status_code in (200, 302), text


def test_the_migration_fills_the_search_columns_of_rows_written_before_them(channel):
    kimberly = capture(
        channel,
        [("MUG-NAT-M", 1)],
        email="kimberly.hamilton52@example.com",
        first_name="Kimberly",
        last_name="Hamilton",
        phone="616.234.9992",
        shipping_address=address(phone="020 7946 0000", country="GB"),
    )
    lin = capture(channel, [("MUG-NAT-M", 1)], email="lin@example.com", phone="")
    for order, source, payload in (
        (kimberly, "shopify", {"name": "#1042"}),
        (lin, "woocommerce", {"number": 5120}),
    ):
        ChannelWebhookReceipt.objects.create(
            channel=channel, source=source, payload=payload, order=order, outcome="captured"
        )
    # As the rows were before migration 0009 added the columns.
    Customer.objects.update(phone_normalized="", name_normalized="")
    Address.objects.update(phone_normalized="")

    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    SEARCH_MIGRATION.fill_search_columns(django_apps, editor)

    customer = Customer.objects.get(email="kimberly.hamilton52@example.com")
    assert (customer.phone_normalized, customer.name_normalized) == (
        "6162349992",
        "kimberly hamilton",
    )
    assert Address.objects.get(pk=kimberly.shipping_address_id).phone_normalized == (
        "+442079460000"
    )
    assert Customer.objects.get(email="lin@example.com").phone_normalized == ""
    kimberly.refresh_from_db()
    lin.refresh_from_db()
    assert (kimberly.channel_order_name, lin.channel_order_name) == ("#1042", "5120")
    assert search_order_ids("#1042") == [kimberly.pk]
