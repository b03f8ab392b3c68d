"""The charts are SVG drawn by the server: a bar per day or per category with its value in
text, titled and labelled for a screen reader and for paper, and a sentence instead of an empty
chart."""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from dashboard.charts import column_chart, nice_scale, short_number
from returns.services import ReturnLineData, return_create
from tests.dashboard.conftest import PERIOD
from tests.dashboard.screens import element
from tests.returns.factories import shipped_order

pytestmark = pytest.mark.django_db

BOARD = reverse("dashboard:board")


def chart(html: str, key: str) -> str:
    return element(html, f'data-chart="{key}"', "figure")


def texts(svg: str, css: str) -> list[str]:
    return [unescape(text) for text in re.findall(rf'<text class="{css}"[^>]*>([^<]*)</text>', svg)]


def test_orders_and_revenue_per_day_have_a_bar_per_day_and_a_chart_per_currency(manager, history):
    html = manager.get(BOARD, PERIOD).content.decode()
    orders = chart(html, "chart-orders")
    assert '<svg class="chart-svg"' in orders and 'role="img"' in orders
    assert '<title id="chart-orders-title">Orders per day</title>' in orders
    assert "3 orders placed from 2026-03-02 to 2026-03-04" in orders  # the description
    assert orders.count('class="bar-fill"') == 3
    assert texts(orders, "tick")[-3:] == ["Mar 2", "Mar 3", "Mar 4"]
    assert texts(orders, "value") == ["1", "1", "1"]
    assert texts(orders, "axis-label") == ["Day", "Orders"]
    assert "<title>2026-03-03: 1 order</title>" in orders
    usd, eur = chart(html, "chart-revenue-usd"), chart(html, "chart-revenue-eur")
    assert "Gross revenue per day, USD" in usd and "Gross revenue per day, EUR" in eur
    assert texts(usd, "value") == ["25", "30"]  # 2 March and 3 March
    assert "<title>2026-03-04: 40.00 EUR</title>" in eur
    assert "EUR" not in usd and "USD" not in eur


def test_the_pipeline_chart_stacks_ages_per_status_and_marks_the_bottleneck(manager, history):
    html = manager.get(BOARD, PERIOD).content.decode()
    pipeline = chart(html, "chart-pipeline")
    assert texts(pipeline, "legend-label") == ["< 4 h", "4–24 h", "1–3 days", "> 3 days"]
    assert texts(pipeline, "category")[:4] == [
        "Pending",
        "On hold",
        "Backordered",
        "Ready to fulfill",
    ]
    # The two open orders are ready and over three days old: one segment, a bottleneck.
    assert pipeline.count('class="segment segment-3 is-marked"') == 1
    assert "<title>Ready to fulfill, &gt; 3 days: 2 orders (bottleneck)</title>" in pipeline


def test_returns_by_reason_has_a_bar_per_reason(manager, shop, support_user, fulfillment_user):
    order = shipped_order(shop["web"], [("MUG", 3, "10.00")], packer=fulfillment_user)
    return_create(
        order=order,
        lines=[ReturnLineData("MUG", 2, "defective")],
        resolution="refund",
        actor=support_user,
    )
    returns = chart(manager.get(BOARD, {"period": "today"}).content.decode(), "chart-returns")
    assert "Units returned by reason" in returns
    assert returns.count('class="bar-fill"') == 6  # every reason, zero included
    assert texts(returns, "category")[0] == "Defective"
    assert texts(returns, "value total")[0] == "2"


def test_empty_charts_say_so(manager, shop):
    html = manager.get(BOARD, {"period": "today"}).content.decode()
    for key, sentence in (
        ("chart-orders", "No orders in this period."),
        ("chart-revenue", "No orders in this period."),
        ("chart-pipeline", "No open orders."),
        ("chart-returns", "No returns in this period."),
    ):
        figure = chart(html, key)
        assert sentence in figure and "<svg" not in figure


def test_scales_are_round_and_labels_short():
    assert nice_scale(3) == [0, 1, 2, 3]
    assert nice_scale(169) == [0, 50, 100, 150, 200]
    assert nice_scale(2571.3) == [0, 1000, 2000, 3000]
    assert [short_number(value) for value in (72.59, 0.5, 1250.4, 14210)] == [
        "73",
        "0.50",
        "1.3k",
        "14k",
    ]


def test_a_crowded_chart_keeps_its_titles_but_drops_labels_that_would_overlap():
    days = [date(2026, 3, day) for day in range(1, 31)]
    crowded = column_chart(
        key="c",
        title="t",
        description="d",
        days=days,
        values=[1234] * 30,
        unit="USD",
        y_label="y",
        empty_text="",
    )
    assert len(crowded.bars) == 30 and not any(bar.value_label for bar in crowded.bars)
    assert all(bar.title.endswith("1,234 USD") for bar in crowded.bars)
    assert len(crowded.x_ticks) == 10  # every third day is named
