"""What support and managers do from the payments panel: record money received, refund, retry.

Each runs one `payments.services` call through `orders.views.actions.order_action`, so it
answers like every order-page action: on success a flash message and the whole order again
(its header badges, this panel and the timeline all change with the money) — swapped in place
for htmx, a redirect for a plain post. A refusal (more than is refundable, above the person's
refund limit) keeps the bound form with the reason beside the field and flashes it; nothing
changes. The check of a refund amount answers while the amount is typed, before any submit.
"""

from django.shortcuts import render
from django.views.decorators.http import require_POST

from oms.rendering import keeping_banners
from oms.roles import role_required
from orders.forms import DomainErrorForm
from orders.views.actions import panel_action
from orders.views.common import order_or_404
from payments.forms import MANUAL_METHODS, RecordPaymentForm, RefundCheckForm
from payments.selectors import all_settled, order_payments
from payments.services import payment_record, payment_refund, payment_retry, refund_limit_for
from payments.views.common import MONEY_HANDLERS, payment_of
from payments.views.panel import refund_form


@require_POST
@role_required(*MONEY_HANDLERS)
def record(request, number: str):
    order = order_or_404(number)

    def run(data):
        payment_record(
            order=order,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            actor=request.user,
        )
        method = dict(MANUAL_METHODS)[data["method"]].lower()
        return f"Recorded {data['amount']} {order.currency} received by {method}."

    form = RecordPaymentForm(request.POST, auto_id="payment_record_%s")
    return panel_action(request, order, form, run, key="payment_record")


@require_POST
@role_required(*MONEY_HANDLERS)
def refund(request, number: str):
    order = order_or_404(number)

    def run(data):
        refunds = payment_refund(
            order=order, amount=data["amount"], reason=data["reason"], actor=request.user
        )
        amount = f"{data['amount']} {order.currency}"
        if all_settled(refunds):
            return f"Refunded {amount}."
        return f"Refund of {amount} requested; the gateway confirms it in a moment."

    form = refund_form(order, request.POST)
    return panel_action(request, order, form, run, key="payment_refund")


@require_POST
@role_required(*MONEY_HANDLERS)
def refund_check(request, number: str):
    """Tell the person, as they type, whether the refund amount will be accepted."""
    order = order_or_404(number)
    check = RefundCheckForm(
        request.POST,
        refundable=order_payments(order=order).refundable,
        limit=refund_limit_for(request.user),
        currency=order.currency,
    )
    return keeping_banners(render(request, "payments/_panel.html#refund_check", {"check": check}))


@require_POST
@role_required(*MONEY_HANDLERS)
def retry(request, number: str, payment_id: int):
    order = order_or_404(number)
    payment = payment_of(order, payment_id)

    def run(data):
        payment_retry(payment=payment, actor=request.user)
        return f"Retrying the failed payment of {payment.amount} {order.currency}."

    return panel_action(request, order, DomainErrorForm(request.POST), run, key="payment_retry")
