"""What the returns back-office view tests share: returns in the states the screens show, made
through the services like production makes them, and ways to read the rendered pages."""

import re

from django.urls import reverse

from returns.models import ReturnRequest
from returns.services import (
    ReceivedUnits,
    ReturnLineData,
    return_approve,
    return_create,
    return_receive,
)

HTMX = {"HX-Request": "true"}
QUEUE = reverse("returns:queue")
RECEIVE = reverse("returns:receive")


def opened(order, actor, *lines, resolution="refund", **kwargs) -> ReturnRequest:
    """A requested return of `lines` [(sku, quantity)] or [(sku, quantity, reason)]."""
    wanted = [
        ReturnLineData(line[0], line[1], line[2] if len(line) > 2 else "defective")
        for line in lines
    ]
    return return_create(order=order, lines=wanted, resolution=resolution, actor=actor, **kwargs)


def approved(order, support, *lines, **kwargs) -> ReturnRequest:
    rma = opened(order, support, *lines, **kwargs)
    return return_approve(rma=rma, actor=support)


def received(order, support, fulfillment, *lines, condition="sellable", **kwargs):
    """Approved, and every unit arrived in `condition`."""
    rma = approved(order, support, *lines, **kwargs)
    return_receive(
        rma=rma,
        lines=[ReceivedUnits(line[0], line[1], condition) for line in lines],
        actor=fulfillment,
    )
    return fresh(rma)


def fresh(rma: ReturnRequest) -> ReturnRequest:
    return ReturnRequest.objects.get(pk=rma.pk)


def return_url(rma: ReturnRequest, name: str = "detail") -> str:
    return reverse(f"returns:{name}", args=[rma.number])


def order_url(order) -> str:
    return reverse("orders:detail", args=[order.number])


def start_url(order) -> str:
    return reverse("returns:start", args=[order.number])


def text_of(markup: str) -> str:
    """The words of some markup, as a reader sees them."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def section(html: str, element_id: str) -> str:
    """The markup from the element with this id to the end of its section (or form)."""
    start = html.index(f'id="{element_id}"')
    tag = html.rfind("<", 0, start)
    name = re.match(r"<(\w+)", html[tag:])[1]
    depth, position = 0, tag
    for match in re.finditer(rf"<(/?){name}\b", html[tag:]):
        depth += -1 if match[1] else 1
        if depth == 0:
            position = tag + match.end()
            break
    return html[tag : html.index(">", position) + 1]


def listed(html: str) -> list[str]:
    """The RMA numbers of the queue's rows, top to bottom."""
    return re.findall(r'<tr class="return-row" data-rma="(RMA-\d+)">', html)
