"""Saved views: each person saves, applies and deletes their own named queue filters."""

import pytest
from django.urls import reverse

from orders.models import SavedView
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db

QUEUE = reverse("orders:queue")
SAVE = reverse("orders:saved_view_save")


def test_saving_keeps_the_filters_without_the_cursor(client, support_user):
    client.force_login(support_user)
    response = client.post(
        SAVE, {"name": " Web holds ", "query": "queue=attention&channel=web&after=9:x&bogus=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?queue=attention&channel=web"
    view = SavedView.objects.get(user=support_user)
    assert (view.name, view.query) == ("Web holds", "queue=attention&channel=web")
    page = client.get(response["Location"]).content.decode()
    assert "View “Web holds” saved." in page
    assert f'href="{QUEUE}?queue=attention&amp;channel=web"' in page


def test_saving_under_an_existing_name_replaces_that_view(client, support_user):
    client.force_login(support_user)
    client.post(SAVE, {"name": "Mine", "query": "queue=late"})
    client.post(SAVE, {"name": "Mine", "query": "queue=ready"})
    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "queue=ready")]


def test_a_view_needs_a_name(client, support_user):
    client.force_login(support_user)
    response = client.post(SAVE, {"name": "  ", "query": "queue=late"}, follow=True)
    assert "The view was not saved: This field is required." in response.content.decode()
    assert not SavedView.objects.exists()


def test_htmx_save_swaps_the_queue_with_the_view_listed(client, support_user):
    client.force_login(support_user)
    response = client.post(
        SAVE, {"name": "Late ones", "query": "queue=late"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue"')
    assert "Late ones" in html
    assert 'hx-swap-oob="true"' in html and "View “Late ones” saved." in html


def test_applying_a_view_shows_its_orders(client, support_user):
    web, market = SalesChannelFactory(code="web"), SalesChannelFactory(code="market")
    mine = capture(market, [("X-1", 1)])
    capture(web, [("X-1", 1)])
    client.force_login(support_user)
    client.post(SAVE, {"name": "Market", "query": "channel=market"})
    view = SavedView.objects.get()
    response = client.get(f"{QUEUE}?{view.query}")
    assert [order.number for order in response.context["page"].orders] == [mine.number]
    assert 'class="saved-view is-current"' in response.content.decode()


def test_views_are_private_to_their_owner(client, support_user, manager_user):
    SavedView.objects.create(user=support_user, name="Sam's view", query="queue=late")
    client.force_login(manager_user)
    assert "Sam&#x27;s view" not in client.get(QUEUE).content.decode()
    view = SavedView.objects.get()
    response = client.post(reverse("orders:saved_view_delete", args=[view.pk]))
    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_the_owner_deletes_a_view(client, support_user):
    view = SavedView.objects.create(user=support_user, name="Old", query="queue=late")
    client.force_login(support_user)
    response = client.post(
        reverse("orders:saved_view_delete", args=[view.pk]),
        {"query": "queue=ready"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "View “Old” deleted." in response.content.decode()
    assert response.context["filters"].queue == "ready"
    assert not SavedView.objects.exists()
