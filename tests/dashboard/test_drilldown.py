"""Every number of the pipeline opens the order queue filtered to exactly the orders it counts:
the link is read off the rendered dashboard and followed, as a manager would.

The pipeline puts an order in a bucket when `now − upper < placed_at ≤ now − lower`; the queue
lists `placed_after ≤ placed_at < placed_before`. Orders placed exactly on a bucket's edge (and
a microsecond inside it) prove the links translate one into the other without losing or gaining
an order.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.services import order_hold
from tests.dashboard.factories import place
from tests.dashboard.screens import element, href_in, listed_orders, text_of

pytestmark = pytest.mark.django_db

BOARD = reverse("dashboard:board")
NOW = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)


@pytest.fixture
def pipeline_orders(shop, support_user, monkeypatch):
    """Ready orders at every edge of the age buckets, in two channels, and one on hold; then
    the clock stops at NOW."""
    web, eu = shop["web"], shop["eu"]
    ages = {
        "fresh": timedelta(hours=1),
        "just_under_4h": timedelta(hours=4) - MICROSECOND,
        "edge_4h": timedelta(hours=4),
        "10h": timedelta(hours=10),
        "just_under_3d": timedelta(days=3) - MICROSECOND,
        "edge_3d": timedelta(days=3),
        "4d": timedelta(days=4),
        "5d": timedelta(days=5),
        # A channel's clock a little ahead: placed "in the future" is still the newest bucket.
        "ahead": -timedelta(minutes=30),
    }
    made = {name: place(web, [("MUG", 1)], NOW - age).number for name, age in ages.items()}
    made["eu_fresh"] = place(eu, [("MUG", 1)], NOW - timedelta(hours=2)).number
    made["eu_6d"] = place(eu, [("MUG", 1)], NOW - timedelta(days=6)).number
    held = place(web, [("MUG", 1)], NOW - timedelta(days=4))
    order_hold(order=held, reason="fraud_review", actor=support_user)
    made["held"] = held.number
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return made


def cell(html: str, status: str, bucket: str) -> str:
    return element(html, f'data-cell="{status}:{bucket}"', "td")


def follow(client, fragment: str) -> set[str]:
    response = client.get(href_in(fragment))
    assert response.status_code == 200
    return listed_orders(response.content.decode())


def names(made: dict, *keys: str) -> set[str]:
    return {made[key] for key in keys}


EXPECTED = {
    ("ready", "under_4h"): ("fresh", "just_under_4h", "ahead", "eu_fresh"),
    ("ready", "4_24h"): ("edge_4h", "10h"),
    ("ready", "1_3d"): ("just_under_3d",),
    ("ready", "over_3d"): ("edge_3d", "4d", "5d", "eu_6d"),
    ("on_hold", "over_3d"): ("held",),
    ("backordered", "under_4h"): (),
}


@pytest.mark.parametrize(("status", "bucket"), list(EXPECTED))
def test_a_pipeline_cell_lists_exactly_the_orders_it_counts(
    manager, pipeline_orders, status, bucket
):
    html = manager.get(BOARD).content.decode()
    found = cell(html, status, bucket)
    expected = names(pipeline_orders, *EXPECTED[(status, bucket)])
    assert text_of(found).split()[0] == str(len(expected))
    assert follow(manager, found) == expected


@pytest.mark.parametrize(("status", "bucket"), [("ready", "under_4h"), ("ready", "over_3d")])
def test_with_a_channel_filter_the_cell_lists_that_channels_orders_only(
    manager, pipeline_orders, status, bucket
):
    html = manager.get(BOARD, {"channel": "web"}).content.decode()
    found = cell(html, status, bucket)
    expected = names(pipeline_orders, *EXPECTED[(status, bucket)]) - names(
        pipeline_orders, "eu_fresh", "eu_6d"
    )
    assert text_of(found).split()[0] == str(len(expected))
    assert "channel=web" in href_in(found)
    assert follow(manager, found) == expected


def test_the_worst_cell_is_marked_a_bottleneck_in_words_and_its_orders_are_one_click_away(
    manager, pipeline_orders
):
    html = manager.get(BOARD).content.decode()
    worst = cell(html, "ready", "over_3d")
    assert "is-bottleneck" in worst and "Bottleneck" in text_of(worst)
    assert "4 late" in text_of(worst)
    summary = text_of(element(html, 'data-testid="bottlenecks"'))
    assert "Ready to fulfill, > 3 days: 4 of 4 past their ship-by" in summary
    assert follow(manager, worst) == names(pipeline_orders, *EXPECTED[("ready", "over_3d")])
    assert "Bottleneck" not in text_of(cell(html, "ready", "4_24h"))


def test_the_other_counts_open_the_orders_they_count(manager, pipeline_orders):
    html = manager.get(BOARD, {"channel": "web"}).content.decode()
    web = set(pipeline_orders.values()) - names(pipeline_orders, "eu_fresh", "eu_6d")
    assert follow(manager, element(html, 'data-kpi="open"')) == web
    # Past their ship-by (placed more than a day ago, due a day after placing).
    late = names(pipeline_orders, "just_under_3d", "edge_3d", "4d", "5d", "held")
    by_channel = element(html, 'data-table="late-by-channel"', "table")
    assert follow(manager, element(by_channel, 'data-late="web"', "td")) == late
    by_warehouse = element(html, 'data-table="late-by-warehouse"', "table")
    assert follow(manager, element(by_warehouse, 'data-late="EAST"', "td")) == late
    fraud = element(html, 'data-hold="fraud_review"', "tr")
    assert text_of(fraud) == "Fraud review 1"
    assert follow(manager, fraud) == names(pipeline_orders, "held")
