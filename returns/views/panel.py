"""The returns panel on the order page: the order's returns (number, status, resolution, lines,
what arrived, the refund or the replacement order), and — for support and managers, while some
shipped units may still come back — the "Start a return" form.

Registered with `orders.panels` in `ReturnsConfig.ready`. The form lists each shipped line with
what it may still return, a quantity (0 by default) and a reason; `?return=<line id>` on the
order page (the customer page's "Return" buttons) opens it with one unit of that line chosen and
the focus on its reason.
Starting runs `return_create` through `orders.views.actions.panel_action`: on success the whole
order is swapped in (the panel and the timeline both change); a refusal keeps the form open with
the reason beside the line it names, and nothing is created.
"""

from django.views.decorators.http import require_POST

from oms.roles import role_required, user_has_role
from orders.models import Order
from orders.panels import OrderPanel, register
from orders.views.actions import panel_action
from orders.views.common import order_or_404
from returns.forms import StartReturnForm
from returns.models import Resolution
from returns.selectors_backoffice import order_returns
from returns.services import return_create, returnable_units
from returns.views.common import DECIDERS

PANEL_KEY = "returns"
FORM_KEY = "return_start"


def _preselected(request) -> int | None:
    text = request.GET.get("return", "")
    return int(text) if text.isascii() and text.isdigit() else None


def start_form(order: Order, data=None, *, preselected: int | None = None) -> StartReturnForm:
    """The form over the order's shipped lines (prefetched with the order), each with what it
    may still return (one query)."""
    lines = [line for line in order.lines.all() if line.quantity_shipped]
    returnable = returnable_units(order, lines)
    return StartReturnForm(
        data,
        returnable=[(line, returnable[line.pk]) for line in lines],
        preselected=preselected,
    )


def panel_context(request, order: Order, forms: dict) -> dict:
    """What the panel shows this person for this order (three queries: the returns, their
    lines, and what is held by open returns)."""
    bound = forms.get(FORM_KEY)
    preselected = _preselected(request)
    form = bound or start_form(order, preselected=preselected)
    return {
        "returns": order_returns(order=order),
        "may_start": user_has_role(request.user, *DECIDERS)
        and any(row["units"] for row in form.rows),
        "form": form,
        # The form opens by itself when it carries errors, or a line was chosen elsewhere.
        "form_open": bound is not None or preselected is not None,
    }


def register_panel() -> None:
    register(
        OrderPanel(
            key=PANEL_KEY,
            template="returns/_panel.html",
            context=panel_context,
            order=300,
            forms=(FORM_KEY,),
        )
    )


@require_POST
@role_required(*DECIDERS)
def start(request, number: str):
    order = order_or_404(number)
    form = start_form(order, request.POST)

    def run(data):
        wanted = form.return_lines()
        rma = return_create(
            order=order,
            lines=wanted,
            resolution=data["resolution"],
            note=data["note"],
            exchange_lines=form.exchange_lines(),
            actor=request.user,
        )
        how = "a refund" if rma.resolution == Resolution.REFUND else "an exchange"
        what = ", ".join(f"{line.quantity} × {line.sku}" for line in wanted)
        return f"Return {rma.number} opened for {how}: {what}."

    return panel_action(request, order, form, run, key=FORM_KEY)
