"""The customer's email about a return decision: owed from the decision, cleared once sent."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from returns import events
from returns.models import ReturnRequest
from returns.services.common import after_commit

KINDS = {"approved": "approval", "rejected": "rejection", "label": "label"}
SUBJECTS = {
    "approved": "Your return {number} is approved",
    "rejected": "About your return request {number}",
    "label": "Your return label for {number}",
}


def return_email_send(*, rma_id: int) -> bool:
    """Send the owed decision email; True when this call sent it (at least once: the flag is
    cleared only after the mail server took the message)."""
    rma = (
        ReturnRequest.objects.select_related("order__customer")
        .exclude(email_due="")
        .filter(pk=rma_id)
        .first()
    )
    if rma is None or rma.email_due not in KINDS:
        return False
    kind = rma.email_due
    order = rma.order
    context = {
        "order": order,
        "rma": rma,
        "lines": list(rma.lines.select_related("order_line").order_by("id")),
    }
    attach = kind in ("approved", "label") and rma.label_status == ReturnRequest.LabelStatus.READY
    context["label_attached"] = attach
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(number=rma.number),
        body=render_to_string(f"returns/email/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
    )
    message.attach_alternative(render_to_string(f"returns/email/{kind}.html", context), "text/html")
    if attach:
        rma.label_pdf.open("rb")
        with rma.label_pdf:
            message.attach(f"{rma.number}-label.pdf", rma.label_pdf.read(), "application/pdf")
    message.send()
    with transaction.atomic():
        locked = ReturnRequest.objects.select_for_update().get(pk=rma.pk)
        if locked.email_due != kind:
            return False
        locked.email_due = ""
        locked.label_emailed = locked.label_emailed or attach
        # The label was made while the approval was on its way: it is owed on its own.
        follow_up = (
            not locked.label_emailed and locked.label_status == ReturnRequest.LabelStatus.READY
        )
        if follow_up:
            locked.email_due = "label"
            after_commit("send_return_email", locked.pk)
        locked.save(update_fields=["email_due", "label_emailed", "updated_at"])
        events.email_sent(order, rma, kind=KINDS[kind])
    return True
