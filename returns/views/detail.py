"""The return page: what comes back (ordered, asked back, received sellable and damaged), who
decided and when, the return label, the refund or the replacement, and the return's part of the
order's timeline — with the actions this person's role and the return's state allow.

Approve (optionally with a return label, and where the units go back on the shelf), Reject (a
reason is required), Refund (the quote's breakdown; options re-quote in place and the amount
starts at the total, which staff may lower), Exchange (shows what will be sent), Close. Each
answers through `oms.rendering.form_action`: a flash message and the page again (swapped in
place for htmx, a redirect for a plain post); a refusal keeps the form with the reason beside
the field and flashes it, and nothing changes.
"""

from collections.abc import Callable

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_fsm import can_proceed, has_transition_perm

from oms.files import pdf_response
from oms.money import ZERO
from oms.numbering import numbered
from oms.rendering import form_action, is_partial_request, render_screen
from oms.roles import role_required
from orders.forms import DomainErrorForm
from orders.views.detail import event_label
from payments.services import refund_limit_for
from returns.forms import ApproveForm, RejectForm, ReturnRefundForm
from returns.models import ReturnRequest, ReturnStatus, may_receive
from returns.selectors_backoffice import exchange_preview, return_timeline
from returns.services import (
    refund_quote,
    return_approve,
    return_close,
    return_exchange,
    return_refund,
    return_reject,
)
from returns.views.common import DECIDERS, RETURN_VIEWERS, return_or_404

TEMPLATE = "returns/detail.html"
DECISIONS = ("approve", "reject", "refund", "exchange", "close")


def refund_form(rma: ReturnRequest, data=None) -> ReturnRefundForm:
    return ReturnRefundForm(data, quote_url=reverse("returns:refund_quote", args=[rma.number]))


def refund_context(request, rma: ReturnRequest, form: ReturnRefundForm | None = None) -> dict:
    """The refund card: the quote for the options on screen, and the form (its amount the
    quote's total unless the person typed one)."""
    form = form or refund_form(rma)
    if form.is_bound:
        form.is_valid()
    quote = refund_quote(rma, **form.options())
    if not form.is_bound:
        form.initial["amount"] = quote.total
    return {
        "quote": quote,
        "refund_form": form,
        "refund_limit": refund_limit_for(request.user),
    }


def return_context(request, rma: ReturnRequest, **forms) -> dict:
    """Everything the return page shows; `forms` puts a bound form (with its errors) back."""
    user = request.user
    lines = list(rma.lines.all())
    may = {
        f"may_{name}": can_proceed(getattr(rma, name))
        and has_transition_perm(getattr(rma, name), user)
        for name in DECISIONS
    }
    events = return_timeline(rma)
    for event in events:
        event.label = event_label(event.type)
    context = {
        "rma": rma,
        "order": rma.order,
        "lines": lines,
        "events": events,
        **may,
        "may_receive": rma.status in (ReturnStatus.APPROVED, ReturnStatus.RECEIVED)
        and may_receive(rma, user)
        and any(line.quantity_outstanding for line in lines),
        "approve_form": forms.get("approve") or ApproveForm(auto_id="approve_%s"),
        "reject_form": forms.get("reject") or RejectForm(auto_id="reject_%s"),
    }
    if may["may_refund"]:
        context.update(refund_context(request, rma, forms.get("refund")))
    if may["may_exchange"]:
        # The refund card's quote is the return's worth while its options are untouched.
        quote = context.get("quote") if "refund" not in forms else None
        context["exchange"] = exchange_preview(rma, credit=quote.computed if quote else None)
    return context


@require_GET
@vary_on_headers("HX-Request")
@role_required(*RETURN_VIEWERS)
def return_page(request, number: str):
    rma = return_or_404(number)
    return render_screen(request, TEMPLATE, "return", return_context(request, rma))


def return_action(
    request, rma: ReturnRequest, form: DomainErrorForm, run: Callable[[dict], str], *, key: str
):
    """Validate `form`, run the service through `run` (it returns the success message), and
    answer as the module docstring says; `key` is the name the page knows the form by."""

    def rerender(bound):
        forms = {key: bound} if bound is not None else {}
        context = return_context(request, return_or_404(rma.number), **forms)
        return render_screen(request, TEMPLATE, "return", context)

    return form_action(
        request,
        form,
        run,
        on_success=lambda: redirect("returns:detail", number=rma.number),
        rerender=rerender,
    )


@require_POST
@role_required(*DECIDERS)
def approve(request, number: str):
    rma = return_or_404(number)

    def run(data):
        return_approve(
            rma=rma, actor=request.user, label=data["label"], warehouse=data["warehouse"]
        )
        label = " A return label is being made." if data["label"] else ""
        return f"Return {rma.number} approved: the customer is emailed the instructions.{label}"

    form = ApproveForm(request.POST, auto_id="approve_%s")
    return return_action(request, rma, form, run, key="approve")


@require_POST
@role_required(*DECIDERS)
def reject(request, number: str):
    rma = return_or_404(number)

    def run(data):
        return_reject(rma=rma, reason=data["reason"], actor=request.user)
        return f"Return {rma.number} rejected: the customer is emailed why."

    form = RejectForm(request.POST, auto_id="reject_%s")
    return return_action(request, rma, form, run, key="reject")


@require_POST
@role_required(*DECIDERS)
def refund(request, number: str):
    rma = return_or_404(number)

    def run(data):
        refunded = return_refund(
            rma=rma,
            actor=request.user,
            amount=data["amount"],
            include_shipping=data["include_shipping"],
            restocking_fee=data["restocking_fee"] or ZERO,
        )
        return f"Return {rma.number} refunded: {refunded.refund_amount} {rma.order.currency}."

    return return_action(request, rma, refund_form(rma, request.POST), run, key="refund")


@require_GET
@role_required(*DECIDERS)
def refund_quote_card(request, number: str):
    """The refund card again for the options on screen, its amount the new total."""
    rma = return_or_404(number)
    if not is_partial_request(request):
        return redirect("returns:detail", number=rma.number)
    options = refund_form(rma, request.GET)
    options.is_valid()
    data = request.GET.copy()
    data["amount"] = str(refund_quote(rma, **options.options()).total)
    context = {"rma": rma, "order": rma.order}
    context.update(refund_context(request, rma, refund_form(rma, data)))
    return render_screen(request, TEMPLATE, "refund", context)


@require_POST
@role_required(*DECIDERS)
def exchange(request, number: str):
    rma = return_or_404(number)

    def run(data):
        replacement = return_exchange(rma=rma, actor=request.user).replacement_order
        status = replacement.get_status_display().lower()
        return f"Return {rma.number} exchanged: replacement order {replacement.number} ({status})."

    return return_action(request, rma, DomainErrorForm(request.POST), run, key="exchange")


@require_POST
@role_required(*DECIDERS)
def close(request, number: str):
    rma = return_or_404(number)

    def run(data):
        return_close(rma=rma, actor=request.user)
        return f"Return {rma.number} closed."

    return return_action(request, rma, DomainErrorForm(request.POST), run, key="close")


@require_GET
@role_required(*RETURN_VIEWERS)
def label_card(request, number: str):
    """The label card again (the page asks every two seconds while the label is being made)."""
    rma = return_or_404(number)
    if not is_partial_request(request):
        return redirect("returns:detail", number=rma.number)
    return render_screen(request, TEMPLATE, "label", {"rma": rma})


@require_GET
@role_required(*RETURN_VIEWERS)
def label_pdf(request, number: str):
    """The return label as the carrier made it, to print or send on (shown in the browser)."""
    rma = get_object_or_404(
        ReturnRequest.objects.only("number", "label_status", "label_pdf"),
        number=numbered(number, "RMA"),
    )
    ready = rma.label_status == ReturnRequest.LabelStatus.READY
    response = pdf_response(rma.label_pdf, filename=f"{rma.number}-label.pdf") if ready else None
    if response is None:
        raise Http404(f"{rma.number} has no return label.")
    return response
