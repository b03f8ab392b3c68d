"""The dashboard page: the figures it shows, per currency; its period and channel in the URL
(and what it says when the URL asks for something it cannot show); the htmx refresh; a fixed
number of queries whatever the data."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.exports import TABLES
from tests.dashboard.conftest import PERIOD, at
from tests.dashboard.factories import place
from tests.dashboard.screens import element, kpi, text_of

pytestmark = pytest.mark.django_db

BOARD = reverse("dashboard:board")
# The session, the user and their roles, the channels, and the dashboard's grouped reads.
PAGE_QUERIES = 24


def page(client, **params) -> str:
    response = client.get(BOARD, params)
    assert response.status_code == 200
    return response.content.decode()


def problems(html: str) -> str:
    return text_of(element(html, 'data-testid="board-problems"'))


def test_the_page_shows_every_key_figure_of_the_period(manager, history):
    html = page(manager, **PERIOD)
    assert kpi(html, "orders") == "Orders 3 1 cancelled"
    assert kpi(html, "units") == "Units 5"
    # Money per currency, never added up across currencies.
    assert kpi(html, "gross") == "Gross revenue 40.00 EUR 55.00 USD"
    assert kpi(html, "refunds") == "Refunds 0.00 EUR 5.00 USD"
    assert kpi(html, "net") == "Net revenue 40.00 EUR 50.00 USD"
    assert kpi(html, "aov") == "Average order value 40.00 EUR 27.50 USD"
    assert "95.00" not in html
    # Shipped in the period after 10 h (on time), 24 h (late) and 2 h (on time).
    assert kpi(html, "on_time") == "Shipped on time 66.7 % 2 of 3 shipped in the period"
    assert kpi(html, "median") == "Median placed → shipped 10.0 h"
    assert kpi(html, "p90") == "90th percentile placed → shipped 21.2 h"
    # Open now: the two orders either side of the period (the rest shipped or cancelled).
    assert kpi(html, "open") == "Open orders 2 now"
    money = {
        currency: text_of(element(html, f'data-currency="{currency}"', "tr"))
        for currency in ("USD", "EUR")
    }
    assert money == {
        "USD": "USD 2 55.00 5.00 50.00 27.50",
        "EUR": "EUR 1 40.00 0.00 40.00 40.00",
    }
    channels = text_of(element(html, 'data-table="channels"', "table"))
    assert "EU marketplace eu EUR 1 2 40.00 EUR 40.00 EUR" in channels
    assert "Web store web USD 2 3 55.00 USD 27.50 USD" in channels
    refunds = text_of(element(html, 'data-table="refunds"', "table"))
    assert "USD 5.00 USD" in refunds and "EUR" not in refunds


def test_a_channel_filter_narrows_the_figures_to_its_currency(manager, history):
    html = page(manager, channel="eu", **PERIOD)
    assert kpi(html, "orders") == "Orders 1 0 cancelled"
    assert kpi(html, "gross") == "Gross revenue 40.00 EUR"
    assert kpi(html, "on_time") == "Shipped on time 100.0 % 1 of 1 shipped in the period"
    assert 'data-currency="USD"' not in html
    assert "EU marketplace (eu)" in text_of(element(html, 'data-testid="board-channel"', "span"))
    assert 'data-testid="board-problems"' not in html


def test_an_empty_period_shows_zeros_dashes_and_no_broken_chart(manager, history):
    html = page(manager, **{"from": "2020-01-01", "to": "2020-01-31"})
    assert kpi(html, "orders") == "Orders 0 0 cancelled"
    assert kpi(html, "units") == "Units 0"
    for key, label in (("gross", "Gross revenue"), ("net", "Net revenue")):
        assert kpi(html, key) == f"{label} —"
    assert kpi(html, "on_time") == "Shipped on time — 0 of 0 shipped in the period"
    assert kpi(html, "median") == "Median placed → shipped —"
    orders_chart = element(html, 'data-chart="chart-orders"', "figure")
    assert "No orders in this period." in orders_chart and "<svg" not in orders_chart
    assert "No orders in this period." in element(html, 'data-chart="chart-revenue"', "figure")


@pytest.mark.parametrize(
    ("params", "label", "days"),
    [
        ({"period": "today"}, "Today", 1),
        ({"period": "7d"}, "Last 7 days", 7),
        ({"period": "30d"}, "Last 30 days", 30),
        ({}, "Last 7 days", 7),
        ({"from": "2026-03-02", "to": "2026-03-04"}, "2026-03-02 to 2026-03-04", 3),
        # The filter form sends its dates along; a preset wins, "custom" takes the dates.
        ({"period": "30d", "from": "2026-03-02", "to": "2026-03-04"}, "Last 30 days", 30),
        ({"period": "custom", "from": "2026-03-02", "to": "2026-03-04"}, "2026-03-02", 3),
    ],
)
def test_the_period_comes_from_the_url(manager, shop, params, label, days):
    place(shop["web"], [("MUG", 1)], timezone.now())
    place(shop["web"], [("MUG", 1)], at(3, 12))
    html = page(manager, **params)
    assert label in text_of(element(html, 'data-testid="board-period"', "strong"))
    assert kpi(html, "orders").startswith("Orders 1 ")
    # The orders chart has a bar for every day of the period.
    bars = element(html, 'data-chart="chart-orders"', "figure").count('class="bar-fill"')
    assert bars == days
    assert 'data-testid="board-problems"' not in html


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"from": "99999-01-01", "to": "2026-03-04"}, "Give both dates as YYYY-MM-DD."),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "The start date is after the end date."),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "Give both dates as YYYY-MM-DD."),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "Give dates from 1900-01-01 to 2999-12-31."),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "Give dates from 1900-01-01 to 2999-12-31."),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "A period may span at most 400 days."),
        ({"period": "custom"}, "Choose the first and the last day of the custom period."),
        ({"period": "fortnight"}, "There is no period “fortnight”: showing the last 7 days."),
        ({"channel": "nope"}, "There is no channel “nope”: showing all channels."),
        ({"channel": "x" * 5000}, "There is no channel: showing all channels."),
    ],
)
def test_what_cannot_be_shown_is_said_and_falls_back(manager, history, params, problem):
    html = page(manager, **params)
    assert problems(html) == problem
    scope = text_of(element(html, 'class="board-scope"', "p"))
    if "channel" in params:
        assert "All channels" in scope
    else:
        assert scope.startswith("Last 7 days")
    assert 'data-kpi="orders"' in html


def test_odd_parameters_never_break_the_downloads(manager, history):
    for table in ("kpis", "pipeline", "stock"):
        response = manager.get(
            reverse("dashboard:export", args=[table]),
            {"from": "\x01", "to": "99999-01-01", "channel": "x" * 5000, "period": "\x7f"},
        )
        assert response.status_code == 200
        b"".join(response.streaming_content)


def test_a_nul_in_the_parameters_is_refused_before_the_board(manager, history):
    """PostgreSQL cannot compare text holding NUL: the request is refused as a whole
    (`oms.input_guards`), the board and its downloads alike."""
    for path in (BOARD, reverse("dashboard:export", args=["kpis"])):
        response = manager.get(path, {"channel": "\x00web"})
        assert response.status_code == 400
        assert "holds a NUL character" in response.content.decode()


def test_an_htmx_refresh_gets_the_board_only_and_keeps_its_filters(manager, history):
    response = manager.get(BOARD, {"period": "30d", "channel": "web"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<nav" not in html and "dashboard-filters" not in html
    assert html.lstrip().startswith('<div id="board"')
    poll = re.search(r'<div id="board"[^>]*>', html)[0]
    assert f'hx-get="{BOARD}?period=30d&amp;channel=web"' in poll
    assert 'hx-trigger="every 30s"' in poll
    assert 'hx-swap="outerHTML"' in poll
    assert "as of" in html and "Web store (web)" in html
    assert "HX-Push-Url" not in response  # a refresh leaves the address bar alone
    assert "HX-Request" in response["Vary"]
    assert "no-cache" in response["Cache-Control"]


def test_the_filter_form_puts_what_is_shown_in_the_address_bar(manager, history):
    sent = {"period": "custom", "from": "2026-03-02", "to": "2026-03-04", "channel": "eu"}
    response = manager.get(BOARD, sent, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="dashboard-filters")
    assert response["HX-Push-Url"] == f"{BOARD}?from=2026-03-02&to=2026-03-04&channel=eu"
    response = manager.get(
        BOARD,
        {"period": "30d", "from": "", "to": "", "channel": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="dashboard-filters",
    )
    assert response["HX-Push-Url"] == f"{BOARD}?period=30d"
    # A URL that could not be shown as asked stays as typed, so a reload explains again.
    response = manager.get(
        BOARD, {"channel": "nope"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="dashboard-filters"
    )
    assert response["HX-Push-Url"] == f"{BOARD}?channel=nope"


def test_the_full_page_has_the_filter_form_with_the_current_choice(manager, history):
    html = page(manager, channel="eu", **PERIOD)
    form = element(html, 'id="dashboard-filters"', "form")
    assert '<option value="custom" selected>' in form
    assert 'name="from" value="2026-03-02"' in form and 'name="to" value="2026-03-04"' in form
    assert '<option value="eu" selected>' in form
    assert f'href="/dashboard/export/pipeline.csv?from={PERIOD["from"]}' in html
    csv_links = re.findall(r'data-csv="([\w-]+)"', html)
    assert sorted(csv_links) == sorted(TABLES)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_data(
    manager, shop, django_assert_max_num_queries
):
    def grow(count: int) -> None:
        now = timezone.now()
        for index in range(count):
            channel = shop["web"] if index % 2 else shop["eu"]
            placed = now - timedelta(hours=index * 7 % 200)
            if index % 5 == 0:
                place(channel, [("NOPE", 1)], placed)  # held: unknown SKU
            elif index % 5 == 1:
                place(channel, [("MUG", 1, "10.00")], placed, shipped=placed + timedelta(hours=5))
            else:
                place(channel, [("TEE", index % 3 + 1, "20.00")], placed)

    grow(4)
    with django_assert_max_num_queries(PAGE_QUERIES):
        page(manager, period="30d")
    grow(40)
    with django_assert_max_num_queries(PAGE_QUERIES):
        html = page(manager, period="30d")
    assert kpi(html, "orders").startswith("Orders 44")
