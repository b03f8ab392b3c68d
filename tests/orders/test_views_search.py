"""The header's global search: one order opens it, several are listed, none says so."""

import pytest
from django.urls import reverse

from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db

SEARCH = reverse("orders:search")


@pytest.fixture
def channel():
    return SalesChannelFactory(code="web")


def test_the_header_search_posts_to_the_order_search(client, support_user):
    client.force_login(support_user)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{SEARCH}"' in html
    assert 'placeholder="Order no., external id, email, phone, name, SKU…"' in html


def test_one_match_opens_the_order(client, support_user, channel):
    order = capture(channel, [("A", 1)], email="lin@example.com")
    client.force_login(support_user)
    for text in (order.number, order.number.lower(), order.external_id):
        response = client.get(SEARCH, {"q": text})
        assert response.status_code == 302, text
        assert response["Location"] == reverse("orders:detail", args=[order.number])


def test_a_customers_exact_email_opens_their_customer_page(client, support_user, channel):
    order = capture(channel, [("A", 1)], email="lin@example.com")
    capture(channel, [("B", 1)], email="lin@example.com")
    client.force_login(support_user)
    for text in ("lin@example.com", " LIN@example.com "):
        response = client.get(SEARCH, {"q": text})
        assert response.status_code == 302, text
        assert response["Location"] == reverse("orders:customer", args=[order.customer_id])


def test_several_matches_are_listed_newest_first(client, support_user, channel):
    first = capture(channel, [("A", 1)], email="kim@example.com", phone="+44 20 7946 0000")
    second = capture(channel, [("A", 2)], email="kim@example.com")
    capture(channel, [("C", 1)], email="other@example.com")
    client.force_login(support_user)
    response = client.get(SEARCH, {"q": "A"})
    assert response.status_code == 200
    assert [order.number for order in response.context["results"].orders] == [
        second.number,
        first.number,
    ]
    assert "2 orders match “A”" in response.content.decode()


def test_customers_a_name_matches_are_listed_first_linking_to_their_pages(
    client, support_user, channel
):
    kim = capture(channel, [("A", 1)], email="kim@example.com", first_name="Kim", last_name="Lee")
    capture(channel, [("B", 1)], email="kim@example.com", first_name="Kim", last_name="Lee")
    other = capture(channel, [("C", 1)], email="k2@example.com", first_name="Kim", last_name="Ode")
    client.force_login(support_user)
    response = client.get(SEARCH, {"q": "kim"})
    html = response.content.decode()
    assert response.status_code == 200
    assert [customer.email for customer in response.context["customers"]] == [
        "kim@example.com",
        "k2@example.com",
    ]
    for customer in (kim.customer, other.customer):
        assert f'href="{reverse("orders:customer", args=[customer.pk])}"' in html
    assert html.index("Customers") < html.index("3 orders match “kim”")


def test_search_by_phone_and_by_name(client, support_user, channel):
    order = capture(
        channel,
        [("A", 1)],
        email="x@example.com",
        first_name="Mae",
        last_name="Jemison",
        phone="+1 555 0142",
    )
    client.force_login(support_user)
    detail = reverse("orders:detail", args=[order.number])
    assert client.get(SEARCH, {"q": "+1 555 0142"})["Location"] == detail
    assert client.get(SEARCH, {"q": "mae jemison"})["Location"] == detail


def test_no_match_says_what_to_try(client, support_user, channel):
    capture(channel, [("A", 1)])
    client.force_login(support_user)
    response = client.get(SEARCH, {"q": "nobody@example.com"})
    assert response.status_code == 200
    assert "No order matches “nobody@example.com”" in response.content.decode()


def test_empty_search_shows_the_form(client, fulfillment_user):
    client.force_login(fulfillment_user)
    response = client.get(SEARCH, {"q": "  "})
    assert response.status_code == 200
    assert "Type what the customer tells you" in response.content.decode()
