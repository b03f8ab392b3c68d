"""Each table of the dashboard downloads as CSV with the page's period and channel: a header
row and the rows the page shows; text a spreadsheet would run is neutralised."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.exports import TABLES
from orders.models import HoldReason
from tests.dashboard.conftest import PERIOD
from tests.dashboard.factories import place
from tests.inventory.factories import ProductFactory, give_stock

pytestmark = pytest.mark.django_db


def download(client, table: str, **params) -> list[list[str]]:
    response = client.get(reverse("dashboard:export", args=[table]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="dashboard-{table}-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == TABLES[table].header
    return rows[1:]


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_downloads_with_its_header(manager, history, table):
    download(manager, table, **PERIOD)


def test_the_figures_download_as_the_page_shows_them(manager, history):
    assert dict(download(manager, "kpis", **PERIOD)) == {
        "orders": "3",
        "cancelled": "1",
        "units": "5",
        "shipped": "3",
        "shipped_on_time": "2",
        "on_time_share": "0.6667",
        "median_hours_to_ship": "10.0",
        "p90_hours_to_ship": "21.2",
        "open_orders": "2",
    }
    assert download(manager, "money", **PERIOD) == [
        ["EUR", "1", "40.00", "0.00", "40.00", "40.00"],
        ["USD", "2", "55.00", "5.00", "50.00", "27.50"],
    ]
    assert download(manager, "daily", **PERIOD) == [
        ["2026-03-02", "USD", "1", "2", "25.00"],
        ["2026-03-03", "USD", "1", "1", "30.00"],
        ["2026-03-04", "EUR", "1", "2", "40.00"],
    ]
    assert download(manager, "channels", **PERIOD) == [
        ["eu", "EUR", "1", "2", "40.00", "40.00"],
        ["web", "USD", "2", "3", "55.00", "27.50"],
    ]
    assert download(manager, "refunds", **PERIOD) == [["USD", "5.00"]]


def test_a_channel_filter_narrows_the_downloads(manager, history):
    params = {**PERIOD, "channel": "eu"}
    assert download(manager, "money", **params) == [["EUR", "1", "40.00", "0.00", "40.00", "40.00"]]
    assert download(manager, "daily", **params) == [["2026-03-04", "EUR", "1", "2", "40.00"]]
    assert download(manager, "refunds", **params) == []
    response = manager.get(reverse("dashboard:export", args=["money"]), params)
    assert response["Content-Disposition"] == (
        'attachment; filename="dashboard-money-20260302-20260304-eu.csv"'
    )


def test_the_pipeline_holds_and_lateness_download_every_row(manager, history):
    pipeline = download(manager, "pipeline", **PERIOD)
    assert len(pipeline) == 6 * 4
    rows = {(row[0], row[2]): row for row in pipeline}
    # The orders placed either side of the period are still open, past their ship-by.
    assert rows[("ready", "> 3 days")][3:6] == ["2", "2", "yes"]
    assert rows[("ready", "< 4 h")][3:6] == ["0", "0", ""]
    assert rows[("ready", "< 4 h")][7] == ""  # no upper bound: the newest bucket
    holds = download(manager, "holds", **PERIOD)
    assert ["fraud_review", "Fraud review", "0"] in holds and len(holds) == len(HoldReason)
    assert download(manager, "late-by-channel", **PERIOD) == [["web", "2", "0"]]
    assert download(manager, "late-by-warehouse", **PERIOD) == [["EAST", "2", "0"]]


def test_dangerous_cells_are_neutralised(manager, shop):
    low = ProductFactory(sku="=HYPERLINK(1)", name="+cmd", reorder_point=5)
    give_stock(low, shop["east"], 1)
    give_stock(ProductFactory(sku="@SUM(A1)", name="-2+3"), shop["east"], 1)
    place(shop["web"], [("@SUM(A1)", 3)], timezone.now())  # 1 allocated, 2 backordered
    stock = download(manager, "stock")
    assert ["'@SUM(A1)", "'-2+3", "out of stock", "0", "0", "0", ""] in stock
    assert ["'=HYPERLINK(1)", "'+cmd", "low", "1", "5", "0", ""] in stock
    assert [row[:3] for row in download(manager, "backorders")] == [["'@SUM(A1)", "1", "2"]]
