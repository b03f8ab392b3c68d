"""The home page shows each role its own live numbers — ready to pick, needing attention,
returns to decide or receive, parcels in exception, low stock, late orders — each a link to the
list it counts, with one small count query per card whatever the data."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oms import navigation
from tests.dashboard.factories import place
from tests.dashboard.screens import element, href_in, listed_orders, text_of
from tests.inventory.factories import ProductFactory, give_stock

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture
def work(shop):
    """Two orders ready (one of them late), one held for an unknown SKU, a product low."""
    web = shop["web"]
    ready = place(web, [("MUG", 1)], timezone.now() - timedelta(hours=1))
    late = place(web, [("TEE", 1)], timezone.now() - timedelta(days=3))
    held = place(web, [("NOPE", 1)], timezone.now() - timedelta(hours=2))
    give_stock(ProductFactory(sku="CAP", reorder_point=10), shop["east"], 3)
    return {"ready": ready.number, "late": late.number, "held": held.number}


def figures(html: str) -> dict[str, str]:
    """Each card's figure: {nav key: "2 orders ready to pick"}."""
    return {
        key: text_of(element(html, f'data-work="{key}"', "p"))
        for key in re.findall(r'data-work="([\w-]+)"', html)
    }


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "fulfillment_user",
            {
                "orders": "1 order needs attention",
                "pick_pack": "2 orders ready to pick",
                "shipments": "0 parcels in exception",
                "returns": "0 returns await a decision",
                "returns_receive": "0 returns to receive",
                "inventory_low_stock": "1 product at or below its reorder point",
            },
        ),
        (
            "support_user",
            {
                "orders": "1 order needs attention",
                "orders_inbox": "0 channel deliveries wait",
                "failed_payments": "0 payments failed",
                "shipments": "0 parcels in exception",
                "returns": "0 returns await a decision",
                "inventory_low_stock": "1 product at or below its reorder point",
            },
        ),
        (
            "manager_user",
            {
                "dashboard": "1 order past its ship-by",
                "orders": "1 order needs attention",
                "orders_inbox": "0 channel deliveries wait",
                "failed_payments": "0 payments failed",
                "pick_pack": "2 orders ready to pick",
                "shipments": "0 parcels in exception",
                "returns": "0 returns await a decision",
                "returns_receive": "0 returns to receive",
                "inventory_low_stock": "1 product at or below its reorder point",
            },
        ),
    ],
)
def test_each_role_sees_its_own_numbers(client, request, work, fixture, expected):
    client.force_login(request.getfixturevalue(fixture))
    html = client.get(HOME).content.decode()
    assert figures(html) == expected


def test_each_number_opens_the_list_it_counts(client, manager_user, work):
    client.force_login(manager_user)
    html = client.get(HOME).content.decode()

    def follow(key: str) -> set[str]:
        response = client.get(href_in(element(html, f'data-work="{key}"', "p")))
        assert response.status_code == 200
        return listed_orders(response.content.decode())

    assert follow("pick_pack") == {work["ready"], work["late"]}
    assert follow("orders") == {work["held"]}
    assert follow("dashboard") == {work["late"]}
    assert href_in(element(html, 'data-work="returns"', "p")) == "/returns/?status=requested"
    assert href_in(element(html, 'data-work="shipments"', "p")).endswith("?exceptions=on")


@pytest.mark.parametrize("fixture", ["fulfillment_user", "support_user", "manager_user"])
def test_the_home_page_reads_one_count_per_card_whatever_the_data(
    client, request, shop, fixture, django_assert_max_num_queries
):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    counted = sum(1 for card in navigation.work_cards(user) if card.count is not None)
    # The session, the user, their roles, then one count per card.
    most = 3 + counted
    place(shop["web"], [("MUG", 1)], timezone.now())
    with django_assert_max_num_queries(most):
        assert client.get(HOME).status_code == 200
    for index in range(30):
        place(shop["web"], [("NOPE" if index % 3 else "MUG", 1)], timezone.now())
    with django_assert_max_num_queries(most):
        assert client.get(HOME).status_code == 200
