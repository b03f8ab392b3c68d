"""The receiving desk: scan (or type) the RMA number from the parcel, Enter; the return's lines
still expected appear, each with the units received (default: all still expected) and their
condition (default: sellable); one submit records them all (`return_receive`). Sellable units go
back on the shelf, damaged ones are recorded only.

htmx swaps the form's contents, never the form: the scan field comes back empty with the focus
after every answer, so the next parcel's RMA can be scanned at once. Enter anywhere opens what
the scan field holds — never receives — so a scan into the wrong field cannot book a parcel.
A refusal stays beside the field it is about; a plain post flashes it and redirects (a reload
never receives twice).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from django_htmx.http import replace_url

from oms.errors import DomainError
from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required
from returns.forms import ReceiveForm
from returns.models import Condition, ReturnRequest, ReturnStatus
from returns.selectors_backoffice import return_for_receiving
from returns.services import return_receive
from returns.views.common import RECEIVERS

TEMPLATE = "returns/receive.html"
RECEIVABLE = (ReturnStatus.APPROVED, ReturnStatus.RECEIVED)


@dataclass(frozen=True)
class Desk:
    """What the desk shows: the return open (with its form), or why the scan opened none."""

    rma: ReturnRequest | None = None
    form: ReceiveForm | None = None
    scan_error: str = ""
    scanned: str = ""

    @property
    def url(self) -> str:
        url = reverse("returns:receive")
        return f"{url}?{urlencode({'rma': self.rma.number})}" if self.rma else url

    def problems(self) -> list[str]:
        found = [self.scan_error] if self.scan_error else []
        if self.form is not None and self.form.is_bound:
            found += [message for errors in self.form.errors.values() for message in errors]
        return found


def open_desk(number: str, data=None, *, initial=None) -> Desk:
    """The desk with this return open, or the scan field saying why it cannot be."""
    rma = return_for_receiving(number)
    if rma is None:
        return Desk(scan_error=f"No return has the number {number}.", scanned=number)
    if rma.status not in RECEIVABLE:
        then = "approve it first" if rma.status == ReturnStatus.REQUESTED else "nothing more is due"
        status = rma.get_status_display().lower()
        return Desk(scan_error=f"{rma.number} is {status}: {then}.", scanned=number)
    lines = [line for line in rma.lines.all() if line.quantity_outstanding]
    if not lines:
        return Desk(scan_error=f"Everything on {rma.number} has arrived.", scanned=number)
    return Desk(rma=rma, form=ReceiveForm(data, lines=lines, initial=initial))


def received_message(rma: ReturnRequest, form: ReceiveForm) -> str:
    units = form.received_units()
    total = sum(item.quantity for item in units)
    what = ", ".join(
        f"{item.quantity} × {item.sku} "
        + ("sellable (restocked)" if item.condition == Condition.SELLABLE else "damaged")
        for item in units
    )
    return f"{rma.number}: received {total} unit{pluralize(total)} — {what}."


def _receive(request, desk: Desk) -> Desk:
    """Record what arrived: an empty desk for the next parcel, else this one with the refusal."""
    form = desk.form
    if not form.is_valid():
        return desk
    try:
        return_receive(
            rma=desk.rma,
            lines=form.received_units(),
            warehouse=form.cleaned_data["warehouse"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_domain_error(error)
        return desk
    messages.success(request, received_message(desk.rma, form))
    return Desk()


def _answer(request) -> Desk:
    code = request.POST.get("rma", "").strip()
    current = request.POST.get("open", "").strip()
    if request.POST.get("intent") == "receive" and current:
        desk = open_desk(current, request.POST)
        return _receive(request, desk) if desk.form is not None else desk
    if code:
        return open_desk(code)
    if current:
        # Enter in a quantity field: the same return, as the person left it.
        return open_desk(current, initial=request.POST.dict())
    return Desk()


@require_http_methods(["GET", "POST"])
@role_required(*RECEIVERS)
def receive(request):
    """GET: the desk (with `?rma=` open). POST: `intent=open` (the default: Enter) opens the
    scanned return, `intent=receive` records what arrived for the open one."""
    if request.method == "GET":
        number = request.GET.get("rma", "").strip()
        desk = open_desk(number) if number else Desk()
        return render_screen(request, TEMPLATE, "desk", {"desk": desk})
    desk = _answer(request)
    if not is_partial_request(request):
        for problem in desk.problems():
            messages.error(request, problem)
        return redirect(desk.url)
    # A reload shows the same return (and never records it twice).
    return replace_url(render_screen(request, TEMPLATE, "desk", {"desk": desk}), desk.url)
