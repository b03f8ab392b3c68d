"""The customer page: one customer's orders, lifetime value per currency, notes and inquiries on
any of their orders, and the sections the apps above orders add — refunds (payments), returns and
what may still be returned (returns). Reached from the global search and every order page."""

import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from orders import customer_sections
from orders.services import order_inquiry_log, order_note_add
from orders.views.customers import customer_context
from payments.services import payment_refund
from returns.services import ReturnLineData, return_create
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture
from tests.payments.factories import run_owed
from tests.returns.factories import shipped_order
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

pytestmark = pytest.mark.django_db
ROLES = ("fulfillment", "support", "manager", "admin")


@pytest.fixture
def shop(db):
    east = WarehouseFactory(code="EAST", priority=1, country="US")
    for sku, price in (("MUG", "10.00"), ("TEE", "20.00")):
        give_stock(ProductFactory(sku=sku, price=Decimal(price), weight_grams=300), east, 100)
    method = ShippingMethodFactory(carrier=CarrierFactory(code="sbx"), code="ground")
    ShippingRateFactory(method=method, up_to_grams=20_000, base=Decimal("5.00"))
    return {
        "web": SalesChannelFactory(code="web"),
        "eu": SalesChannelFactory(code="eu", currency="EUR"),
    }


@pytest.fixture
def ada(shop, fulfillment_user, support_user):
    """Ada's three orders: two shipped and paid (USD and EUR), one just placed; a refund, a
    return, a note and an inquiry. Kim's order is someone else's."""
    first = shipped_order(
        shop["web"], [("MUG", 2, "10.00")], packer=fulfillment_user, email="ada@example.com"
    )
    euro = shipped_order(
        shop["eu"],
        [("TEE", 1, "20.00")],
        packer=fulfillment_user,
        email="ada@example.com",
        currency="EUR",
    )
    latest = capture(shop["web"], [("TEE", 1, "20.00")], email="ada@example.com")
    payment_refund(order=first, amount="4.00", reason="Scratched mug", actor=support_user)
    run_owed()
    rma = return_create(
        order=first,
        lines=[ReturnLineData("MUG", 1, "defective")],
        resolution="refund",
        actor=support_user,
    )
    order_note_add(order=first, text="Prefers email", actor=support_user)
    order_inquiry_log(order=euro, channel="phone", summary="Where is my tee?", actor=support_user)
    kim = shipped_order(
        shop["web"], [("MUG", 1, "10.00")], packer=fulfillment_user, email="kim@example.com"
    )
    order_note_add(order=kim, text="Kim's note", actor=support_user)
    return {"first": first, "euro": euro, "latest": latest, "rma": rma, "kim": kim}


def page_url(order) -> str:
    return reverse("orders:customer", args=[order.customer_id])


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def text_of(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


@pytest.fixture
def support(client, support_user):
    client.force_login(support_user)
    return client


def test_the_customers_orders_newest_first_with_status_payment_and_total(support, ada):
    html = support.get(page_url(ada["first"])).content.decode()
    rows = re.findall(r'<tr class="customer-order">.*?</tr>', html, re.S)
    numbers = [re.search(r"SO-\d+", row)[0] for row in rows]
    assert numbers == [ada["latest"].number, ada["euro"].number, ada["first"].number]
    first = text_of(rows[2])
    assert first.startswith(ada["first"].number)
    assert "Shipped Partially refunded 20.00 USD 16.00 USD" in first
    assert "No payment 20.00 USD 0.00 USD" in text_of(rows[0])
    assert ada["kim"].number not in html
    assert 'data-testid="order-count">3<' in html


def test_lifetime_value_is_what_was_paid_per_currency(support, ada):
    html = support.get(page_url(ada["first"])).content.decode()
    value = re.search(r'data-testid="lifetime-value">(.*?)</dd>', html, re.S)[1]
    assert text_of(value) == "20.00 EUR · 16.00 USD"


def test_refunds_on_any_of_their_orders(support, ada):
    refunds = section(support.get(page_url(ada["first"])).content.decode(), "customer-refunds")
    rows = re.findall(r'<tr class="customer-refund">.*?</tr>', refunds, re.S)
    assert len(rows) == 1
    assert f"{ada['first'].number} 4.00 USD Succeeded Scratched mug" in text_of(rows[0])


def test_returns_and_what_may_still_come_back_with_a_return_button_per_line(support, ada):
    html = support.get(page_url(ada["first"])).content.decode()
    returns = section(html, "customer-returns")
    assert f'data-rma="{ada["rma"].number}"' in returns
    assert "Requested Refund 1 × MUG Defective" in text_of(returns)
    returnable = section(html, "customer-returnable")
    groups = re.findall(r'data-order="(SO-\d+)"', returnable)
    assert groups == [ada["euro"].number, ada["first"].number]
    mug = ada["first"].lines.get(sku="MUG")
    start = f"/orders/{ada['first'].number}/?return={mug.pk}"
    assert f'href="{start}">Return<span class="visually-hidden"> MUG from' in returnable
    # Two mugs shipped, one already asked back on the open return.
    assert re.search(
        r"<code>MUG</code></td>\s*<td>[^<]*</td>\s*<td class=\"num\">1</td>", returnable
    )


def test_fulfillment_reads_the_page_without_return_buttons(client, ada, fulfillment_user):
    client.force_login(fulfillment_user)
    html = client.get(page_url(ada["first"])).content.decode()
    assert "customer-returnable" in html
    assert "?return=" not in html


def test_notes_and_inquiries_across_their_orders_newest_first(support, ada):
    notes = section(support.get(page_url(ada["first"])).content.decode(), "customer-notes-title")
    entries = re.findall(r'<li class="event event-(\w+)">.*?</li>', notes, re.S)
    assert entries == ["inquiry", "note"]
    text = text_of(notes)
    assert "Inquiry " + ada["euro"].number in text and "Where is my tee?" in text
    assert "Prefers email" in text and "Kim's note" not in text


def test_reached_from_the_global_search_by_exact_email(support, ada):
    response = support.get(reverse("orders:search"), {"q": "ADA@example.com"})
    assert response.status_code == 302 and response["Location"] == page_url(ada["first"])


def test_reached_from_every_order_page(support, ada):
    for order in (ada["first"], ada["latest"]):
        html = support.get(reverse("orders:detail", args=[order.number])).content.decode()
        assert f'href="{page_url(order)}" data-testid="customer-page-link">Customer page<' in html


def test_anonymous_goes_to_login_and_no_role_is_refused(client, ada, no_role_user):
    url = page_url(ada["first"])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_everyone_who_works_orders_may_read_it(client, request, ada, role):
    client.force_login(request.getfixturevalue(f"{role}_user"))
    assert client.get(page_url(ada["first"])).status_code == 200
    assert client.get(reverse("orders:customer", args=[999_999])).status_code == 404


def test_sections_come_from_the_registry_in_page_order(monkeypatch, ada, support_user):
    calls = []

    def seen(name):
        def context(request, customer):
            calls.append((name, customer.email, request.user.username))
            return {"name": name}

        return context

    monkeypatch.setattr(customer_sections, "_REGISTRY", {})
    customer_sections.register(customer_sections.CustomerSection("b", "b.html", seen("b"), 2))
    customer_sections.register(customer_sections.CustomerSection("a", "a.html", seen("a"), 1))
    request = RequestFactory().get("/")
    request.user = support_user
    rendered = customer_context(request, ada["first"].customer)["sections"]
    assert [(section.key, section.template, section.data) for section in rendered] == [
        ("a", "a.html", {"name": "a"}),
        ("b", "b.html", {"name": "b"}),
    ]
    assert calls == [("a", "ada@example.com", "sam"), ("b", "ada@example.com", "sam")]


def test_the_page_query_count_does_not_grow_with_orders_returns_or_refunds(
    client, shop, support_user, fulfillment_user, manager_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    one = shipped_order(
        shop["web"], [("MUG", 1, "10.00")], packer=fulfillment_user, email="one@example.com"
    )
    return_create(
        order=one,
        lines=[ReturnLineData("MUG", 1, "defective")],
        resolution="refund",
        actor=support_user,
    )
    # The session, the user and their roles; the customer, their orders, lifetime value and
    # notes; returnable lines and what open returns hold, the returns and their lines; refunds.
    with django_assert_max_num_queries(12) as few:
        assert client.get(page_url(one)).status_code == 200

    orders = [
        shipped_order(
            shop["web"],
            [("MUG", 2, "10.00"), ("TEE", 2, "20.00")],
            packer=fulfillment_user,
            email="many@example.com",
        )
        for _ in range(4)
    ]
    for order in orders:
        return_create(
            order=order,
            lines=[ReturnLineData("MUG", 1, "defective"), ReturnLineData("TEE", 1, "other")],
            resolution="refund",
            actor=support_user,
        )
        payment_refund(order=order, amount="1.00", reason="goodwill", actor=support_user)
        order_note_add(order=order, text="Called", actor=support_user)
    run_owed()
    with django_assert_max_num_queries(12) as many:
        html = client.get(page_url(orders[0])).content.decode()
    assert html.count('class="customer-order"') == 4
    assert html.count('class="customer-return"') == 4
    assert html.count('class="customer-refund"') == 4
    assert len(many) == len(few)
