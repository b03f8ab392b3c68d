"""The payments panel on the order page: each payment with its gateway calls, what was paid and
what is due, and the actions the person's role allows.

Registered with `orders.panels` in `PaymentsConfig.ready`. While a gateway call is owed, the
panel's ledger asks `panel` again every two seconds; once the call is answered the whole order
is swapped in, since the header badges and the timeline changed with it.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import reswap, retarget

from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required, user_has_role
from orders.models import Order, OrderStatus
from orders.panels import OrderPanel, panel_for, register
from orders.views.common import ORDER_VIEWERS, order_or_404
from orders.views.detail import detail_context
from payments.forms import RecordPaymentForm, RefundForm
from payments.selectors import order_payments
from payments.services import refund_limit_for
from payments.views.common import MONEY_HANDLERS

PANEL_KEY = "payments"


def refund_form(order: Order, data=None) -> RefundForm:
    check_url = reverse("payments:refund_check", args=[order.number])
    return RefundForm(data, auto_id="payment_refund_%s", check_url=check_url)


def panel_context(request, order: Order, forms: dict) -> dict:
    """What the panel shows this person for this order (a fixed number of queries)."""
    found = order_payments(order=order)
    handles_money = user_has_role(request.user, *MONEY_HANDLERS)
    is_open = order.status != OrderStatus.CANCELLED
    return {
        "payments": found.payments,
        "owed": found.owed,
        "refundable": found.refundable,
        "refund_owed": -order.balance_due if order.balance_due < 0 else None,
        "refund_limit": refund_limit_for(request.user) if handles_money else None,
        "may_record": handles_money and is_open,
        # A cancelled order may still owe money back (cash is returned by hand, then recorded).
        "may_refund": handles_money and found.refundable > 0,
        "may_retry": handles_money and is_open,
        "record_form": forms.get("payment_record")
        or RecordPaymentForm(auto_id="payment_record_%s"),
        "refund_form": forms.get("payment_refund") or refund_form(order),
    }


def register_panel() -> None:
    register(
        OrderPanel(
            key=PANEL_KEY,
            template="payments/_panel.html",
            context=panel_context,
            order=100,
            forms=("payment_record", "payment_refund"),
        )
    )


@require_GET
@role_required(*ORDER_VIEWERS)
def panel(request, number: str):
    """The ledger again while a gateway call is owed; the whole order once it was answered."""
    order = order_or_404(number)
    if not is_partial_request(request):
        return redirect("orders:detail", number=order.number)
    payments = panel_for(PANEL_KEY, request, order)
    if payments.data["owed"]:
        context = {"order": order, "panel": payments}
        return render(request, "payments/_panel.html#ledger", context)
    response = render_screen(request, "orders/detail.html", "order", detail_context(request, order))
    return reswap(retarget(response, "#order"), "outerHTML")
