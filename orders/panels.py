"""Panels the apps above orders add to the order page (payments now; shipping and returns next).

Orders may not import those apps, so each registers its panel in its `AppConfig.ready`: a
template, and a callable that gives the template its data for one order. The order page
(`orders.views.detail.detail_context`) asks every registered panel for its data and the page
template includes each one; the panel's template reads its data as `panel.data`.

A panel's own actions post to its own views. When one is refused, the view renders the order
page again with its bound form (`detail_context(request, order, payment_refund=form)`); the
form reaches the panel that names it in `forms`, so its errors show in place.

Each panel must read a fixed number of rows, whatever the order holds: the order page's query
count is tested to stay the same.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from orders.models import Order

PanelContext = Callable[[HttpRequest, Order, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class OrderPanel:
    key: str
    template: str
    # (request, order, the bound forms this panel owns) → the data its template reads.
    context: PanelContext
    # Lower comes first on the page.
    order: int = 100
    # The `detail_context` form names this panel shows (a bound one carries its errors).
    forms: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedPanel:
    """One panel as the page template includes it: `{% include panel.template %}`."""

    key: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, OrderPanel] = {}


def register(panel: OrderPanel) -> None:
    """Add (or replace, by key) a panel on the order page."""
    _REGISTRY[panel.key] = panel


def registered() -> list[OrderPanel]:
    return sorted(_REGISTRY.values(), key=lambda panel: (panel.order, panel.key))


def render_panel(panel: OrderPanel, request, order: Order, forms: dict) -> RenderedPanel:
    owned = {name: forms[name] for name in panel.forms if forms.get(name) is not None}
    return RenderedPanel(
        key=panel.key, template=panel.template, data=panel.context(request, order, owned)
    )


def panels_for(request, order: Order, forms: dict | None = None) -> list[RenderedPanel]:
    """Every registered panel with its data for this order, in page order."""
    forms = forms or {}
    return [render_panel(panel, request, order, forms) for panel in registered()]


def panel_for(key: str, request, order: Order, forms: dict | None = None) -> RenderedPanel:
    """One panel with its data, for a view that swaps only that panel."""
    return render_panel(_REGISTRY[key], request, order, forms or {})
