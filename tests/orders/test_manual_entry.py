from decimal import Decimal

import pytest
from django.test import Client

from inventory.models import StockLevel
from oms.navigation import items_for
from orders.models import Order, OrderEvent, OrderStatus, SalesChannel
from orders.views.manual_entry import DRAFT_KEY
from tests.concurrency import run_concurrently
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, address, capture

pytestmark = pytest.mark.django_db

URL = "/manual-orders/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def phone_channel():
    return SalesChannelFactory(code="phone", name="Phone orders", kind=SalesChannel.Kind.MANUAL)


@pytest.fixture
def hoodie():
    product = ProductFactory(
        sku="HOOD-NVY-M",
        name="Fleece hoodie, navy, M",
        price=Decimal("59.00"),
        barcode="2000000000017",
    )
    give_stock(product, WarehouseFactory(code="EWR", country="US", priority=1), 7, allocated=2)
    return product


@pytest.fixture
def support(client, support_user):
    client.login(username=support_user.username, password=DEFAULT_PASSWORD)
    return client


def draft(lines=(("HOOD-NVY-M", "2", "59.00"),), **overrides) -> dict:
    data = {
        "channel": "phone",
        "email": "grace@example.com",
        "first_name": "Grace",
        "last_name": "Hopper",
        "phone": "+1 555 0199",
        "ship_name": "Grace Hopper",
        "ship_line1": "1 Compiler Way",
        "ship_city": "Arlington",
        "ship_region": "VA",
        "ship_postal_code": "22201",
        "ship_country": "US",
        "shipping_method": "UPS Ground",
        "shipping_total": "5.00",
        "tax_total": "3.00",
        "discount_total": "1.00",
        "allow_backorder": "on",
        "line_sku": [line[0] for line in lines],
        "line_quantity": [line[1] for line in lines],
        "line_unit_price": [line[2] for line in lines],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["Support", "Manager"])
def test_support_and_managers_open_the_builder_from_the_navigation(client, user_with_role, role):
    user = user_with_role(role, username=f"user-{role}")
    client.login(username=user.username, password=DEFAULT_PASSWORD)
    assert "New order" in [item.label for item in items_for(user)]
    response = client.get(URL)
    assert response.status_code == 200
    assert "<h1>New order</h1>" in response.content.decode()


def test_fulfillment_may_not_enter_orders_and_anonymous_is_sent_to_login(client, fulfillment_user):
    assert client.get(URL).status_code == 302
    client.login(username=fulfillment_user.username, password=DEFAULT_PASSWORD)
    assert client.get(URL).status_code == 403
    assert "New order" not in [item.label for item in items_for(fulfillment_user)]


def test_product_search_by_part_of_the_name_shows_live_availability(support, hoodie):
    response = support.get(f"{URL}products/", {"product_query": "hoodie"}, **HTMX)
    html = response.content.decode()
    assert "HOOD-NVY-M" in html
    assert "5 available" in html  # 7 on hand, 2 promised to other orders
    assert 'name="add_sku" value="HOOD-NVY-M"' in html


def test_customer_search_finds_by_email_name_or_phone_with_the_last_order(support, phone_channel):
    order = capture(phone_channel, [("UNKNOWN", 1)], email="ada@example.com", phone="+1 555 0100")
    for query in ("ada@ex", "Lovelace", "555 0100", "Ada Love"):
        html = support.get(f"{URL}customers/", {"customer_query": query}, **HTMX).content.decode()
        assert "ada@example.com" in html, query
        assert f"last order {order.number}" in html
    html = support.get(f"{URL}customers/", {"customer_query": "nobody"}, **HTMX).content.decode()
    assert "ada@example.com" not in html


def test_picking_a_customer_fills_the_address_from_their_last_order(support, phone_channel):
    capture(
        phone_channel,
        [("UNKNOWN", 1)],
        email="ada@example.com",
        shipping_address=address(line1="99 Engine Street", city="London", country="GB"),
    )
    customer_id = Order.objects.get().customer_id
    response = support.post(URL, {"pick_customer": str(customer_id), "channel": "phone"}, **HTMX)
    form = response.context["form"]
    assert form["email"].value() == "ada@example.com"
    assert form["ship_line1"].value() == "99 Engine Street"
    assert form["ship_country"].value() == "GB"


def test_adding_the_same_product_twice_makes_one_line_of_two_at_its_price(
    support, phone_channel, hoodie
):
    first = support.post(URL, {"add_sku": "HOOD-NVY-M"}, **HTMX).context["form"]
    assert [(line.sku, line.quantity, line.unit_price) for line in first.lines] == [
        ("HOOD-NVY-M", 1, Decimal("59.00"))
    ]
    data = draft(lines=(("HOOD-NVY-M", "1", "59.00"),), add_sku="HOOD-NVY-M")
    again = support.post(URL, data, **HTMX)
    assert [(line.sku, line.quantity) for line in again.context["form"].lines] == [
        ("HOOD-NVY-M", 2)
    ]
    assert "Quantity of HOOD-NVY-M" in again.content.decode()


def test_enter_in_the_product_search_adds_a_scanned_barcode_and_clears_the_search(
    support, phone_channel, hoodie
):
    response = support.post(URL, {"intent": "enter", "product_query": hoodie.barcode}, **HTMX)
    form = response.context["form"]
    assert [line.sku for line in form.lines] == ["HOOD-NVY-M"]
    assert form["product_query"].value() == ""
    nothing = support.post(URL, {"intent": "enter", "product_query": "zzz"}, **HTMX)
    assert "Nothing matches “zzz”" in nothing.content.decode()


def test_summary_adds_lines_shipping_and_tax_and_takes_off_the_discount(
    support, phone_channel, hoodie
):
    response = support.post(f"{URL}summary/", draft(), **HTMX)
    html = response.content.decode()
    # 2 × 59.00 + 5.00 shipping + 3.00 tax − 1.00 discount
    assert '<td class="num" data-testid="grand-total">125.00 USD</td>' in html
    assert "<h1>" not in html


def test_the_draft_is_kept_in_the_session_until_placed(support, phone_channel, hoodie):
    support.post(URL, draft(), **HTMX)
    page = support.get(URL)
    form = page.context["form"]
    assert [(line.sku, line.quantity) for line in form.lines] == [("HOOD-NVY-M", 2)]
    assert form["ship_city"].value() == "Arlington"
    assert Order.objects.count() == 0


def test_place_order_captures_a_manual_order_and_redirects_to_its_page(
    support, support_user, phone_channel, hoodie
):
    support.post(URL, draft(), **HTMX)
    response = support.post(URL, draft(intent="place"))

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/"
    assert (order.status, order.origin, order.external_id) == (
        OrderStatus.READY,
        Order.Origin.MANUAL,
        "",
    )
    assert (order.channel, order.email, order.shipping_method) == (
        phone_channel,
        "grace@example.com",
        "UPS Ground",
    )
    assert order.grand_total == Decimal("125.00")
    assert order.shipping_address.postal_code == "22201"
    level = StockLevel.objects.get(product=hoodie)
    assert level.allocated == 4
    captured = OrderEvent.objects.get(order=order, type="captured")
    assert (captured.data["source"], captured.actor) == ("manual", support_user)
    assert DRAFT_KEY not in support.session
    assert support.get(URL).context["form"].lines == []


def test_place_over_htmx_answers_with_a_client_redirect(support, phone_channel, hoodie):
    response = support.post(URL, draft(intent="place"), **HTMX)
    order = Order.objects.get()
    assert response["HX-Redirect"] == f"/orders/{order.number}/"


def test_a_second_click_on_place_order_does_not_place_it_twice(support, phone_channel, hoodie):
    data = draft(intent="place", draft_token="a" * 32)
    first = support.post(URL, data)
    second = support.post(URL, data)
    assert Order.objects.count() == 1
    assert second["Location"] == first["Location"]


def test_the_same_draft_posted_from_another_session_goes_to_the_order_already_placed(
    support, support_user, phone_channel, hoodie
):
    data = draft(intent="place", draft_token="b" * 32)
    first = support.post(URL, data)
    order = Order.objects.get()
    assert order.draft_token == "b" * 32
    # Another tab or browser: its session knows nothing of the first post; the database does.
    other_tab = Client()
    other_tab.force_login(support_user)
    second = other_tab.post(URL, data, follow=True)

    assert second.redirect_chain == [(first["Location"], 302)]
    assert f"This draft was already placed as order {order.number}." in second.content.decode()
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(product=hoodie).allocated == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_posts_of_the_same_draft_racing_place_one_order(support_user, phone_channel, hoodie):
    data = draft(intent="place", draft_token="c" * 32)
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(support_user)

    results = run_concurrently(2, lambda index: tabs[index].post(URL, data))

    assert [outcome for outcome, _ in results] == ["ok", "ok"], results
    order = Order.objects.get()
    assert [response.status_code for _, response in results] == [302, 302]
    assert {response["Location"] for _, response in results} == {f"/orders/{order.number}/"}
    assert StockLevel.objects.get(product=hoodie).allocated == 4  # 2 before, 2 placed once
    pages = [tab.get(f"/orders/{order.number}/").content.decode() for tab in tabs]
    placed = [page for page in pages if f"Order {order.number} placed for" in page]
    already = [page for page in pages if "This draft was already placed as order" in page]
    assert (len(placed), len(already)) == (1, 1)


def test_a_draft_token_the_form_never_issued_is_replaced(support, phone_channel, hoodie):
    support.post(URL, draft(intent="place", draft_token="not-a-token"))
    assert len(Order.objects.get().draft_token) == 32


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"line_sku": [], "line_quantity": [], "line_unit_price": []}, None, "Add at least one"),
        ({"line_quantity": ["0"]}, "line", "Enter a whole number above zero"),
        ({"email": "grace-at-example"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "Enter the customer&#x27;s email address."),
        ({"ship_country": "USA"}, "ship_country", "Ensure this value has at most 2 characters"),
        ({"ship_postal_code": ""}, "ship_postal_code", "Enter the postal code."),
        ({"discount_total": "500.00"}, "discount_total", "The discount cannot exceed"),
    ],
)
def test_invalid_drafts_say_why_beside_the_field_and_place_nothing(
    support, phone_channel, hoodie, overrides, field, message
):
    response = support.post(URL, draft(intent="place", **overrides), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    form = response.context["form"]
    if field == "line":
        assert form.lines[0].errors["quantity"].startswith(message)
    elif field:
        assert any(message.replace("&#x27;", "'") in error for error in form.errors[field])
    assert Order.objects.count() == 0
    assert StockLevel.objects.get(product=hoodie).allocated == 2


def test_without_backorder_an_order_beyond_stock_is_refused_and_reserves_nothing(
    support, phone_channel, hoodie
):
    data = draft(intent="place", lines=(("HOOD-NVY-M", "9", "59.00"),))
    del data["allow_backorder"]
    response = support.post(URL, data, **HTMX)
    assert "HOOD-NVY-M (short 4)" in response.content.decode()
    assert Order.objects.count() == 0
    assert StockLevel.objects.get(product=hoodie).allocated == 2


def test_lines_beyond_stock_are_flagged_and_placed_as_backordered(support, phone_channel, hoodie):
    data = draft(lines=(("HOOD-NVY-M", "9", "59.00"),))
    assert "4 short: backordered" in support.post(URL, data, **HTMX).content.decode()
    support.post(URL, {**data, "intent": "place"})
    assert Order.objects.get().status == OrderStatus.BACKORDERED


def test_discard_drops_the_draft(support, phone_channel, hoodie):
    support.post(URL, draft(), **HTMX)
    response = support.post(URL, {"intent": "discard"}, **HTMX)
    assert response.context["form"].lines == []
    assert DRAFT_KEY not in support.session
    assert support.get(URL).context["form"].lines == []


def test_the_manual_channel_is_chosen_unless_another_is_picked(support, hoodie):
    SalesChannelFactory(code="web", name="Web store", kind=SalesChannel.Kind.WEB)
    SalesChannelFactory(code="counter", name="Shop counter", kind=SalesChannel.Kind.POS)
    form = support.post(URL, {"add_sku": "HOOD-NVY-M"}, **HTMX).context["form"]
    assert form["channel"].value() == "counter"
    support.post(URL, draft(channel="web", intent="place"))
    assert Order.objects.get().channel.code == "web"
