"""Panels the apps above orders add to the order page: each registered panel gets its data for
the order, in page order, and only the bound forms it owns."""

import pytest
from django.test import RequestFactory

from orders import panels
from orders.forms import NoteForm
from orders.views.detail import detail_context, event_label
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 10)
    return capture(SalesChannelFactory(code="web"), [("MUG", 1)])


@pytest.fixture
def request_of(support_user):
    request = RequestFactory().get("/")
    request.user = support_user
    return request


@pytest.fixture
def only(monkeypatch):
    """Replace the registry with just these panels for one test."""

    def install(*registered: panels.OrderPanel) -> None:
        monkeypatch.setattr(panels, "_REGISTRY", {})
        for panel in registered:
            panels.register(panel)

    return install


def seen_by(name: str, calls: list):
    def context(request, order, forms):
        calls.append((name, order.number, request.user.username, forms))
        return {"name": name, "forms": forms}

    return context


def test_every_panel_gets_its_data_in_page_order(only, order, request_of):
    calls = []
    only(
        panels.OrderPanel(
            key="late", template="late.html", context=seen_by("late", calls), order=9
        ),
        panels.OrderPanel(
            key="early", template="early.html", context=seen_by("early", calls), order=1
        ),
    )
    rendered = detail_context(request_of, order)["order_panels"]
    assert [(panel.key, panel.template, panel.data["name"]) for panel in rendered] == [
        ("early", "early.html", "early"),
        ("late", "late.html", "late"),
    ]
    assert [(name, number, user) for name, number, user, _ in calls] == [
        ("early", order.number, "sam"),
        ("late", order.number, "sam"),
    ]


def test_a_bound_form_reaches_only_the_panel_that_owns_it(only, order, request_of):
    calls = []
    only(
        panels.OrderPanel(
            key="money", template="m.html", context=seen_by("money", calls), forms=("refund",)
        ),
        panels.OrderPanel(key="other", template="o.html", context=seen_by("other", calls)),
    )
    refund, note = NoteForm({"text": ""}), NoteForm({"text": "hi"})
    context = detail_context(request_of, order, refund=refund, note=note)
    money, other = context["order_panels"]
    assert money.data["forms"] == {"refund": refund}
    assert other.data["forms"] == {}
    # The orders page's own bound forms still land where they did.
    assert context["note_form"] is note


def test_one_panel_alone_for_a_view_that_swaps_it(only, order, request_of):
    calls = []
    only(panels.OrderPanel(key="money", template="m.html", context=seen_by("money", calls)))
    panel = panels.panel_for("money", request_of, order)
    assert (panel.key, panel.data["name"]) == ("money", "money")


def test_no_panels_no_data(only, order, request_of):
    only()
    assert detail_context(request_of, order)["order_panels"] == []


@pytest.mark.parametrize(
    ("event_type", "label"),
    [
        ("hold_placed", "Hold"),
        ("payment_refunded", "Payment"),
        ("payment_capture_requested", "Payment"),
        ("shipment_label_ready", "Shipment"),
        ("inventory_recount", "Inventory recount"),
    ],
)
def test_timeline_labels_go_by_name_then_by_the_app_prefix(event_type, label):
    assert event_label(event_type) == label
