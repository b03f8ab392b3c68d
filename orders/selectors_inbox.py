"""Reads for the channel inbox: marketplace deliveries that did not become an order.

A receipt waits there when it failed (with the reason), or when it never finished — stored,
then the process died — and is older than UNFINISHED_AFTER, so a delivery being captured right
now is not shown as stuck. Each row carries the start of its raw body (never the whole: a body
may be 20 MB) made safe to show: bytes that are not UTF-8 and control characters appear as
escapes, and the template escapes the rest.
"""

from datetime import timedelta

from django.db.models import BinaryField, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone

from oms.paging import KeysetPage, keyset_page
from orders.models import ChannelWebhookReceipt

Receipt = ChannelWebhookReceipt
UNFINISHED_AFTER = timedelta(minutes=5)
PREVIEW_BYTES = 20_000
ORDER = ("-received_at", "-id")
# Line breaks and tabs stay as they are; every other control character is shown as an escape.
KEPT_CONTROLS = "\n\r\t"


def _unsettled() -> Q:
    stuck_before = timezone.now() - UNFINISHED_AFTER
    return Q(outcome=Receipt.Outcome.FAILED) | Q(outcome="", received_at__lt=stuck_before)


def unsettled_receipt_count() -> int:
    """Deliveries waiting in the inbox (the home page's figure): one count query."""
    return Receipt.objects.filter(_unsettled()).count()


def printable(raw: bytes) -> str:
    """`raw` as text a page can show as it is: invalid UTF-8 as \\xNN, controls as \\uNNNN."""
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(
        f"\\u{ord(char):04x}" if not char.isprintable() and char not in KEPT_CONTROLS else char
        for char in text
    )


def _rows() -> QuerySet[Receipt]:
    return (
        Receipt.objects.select_related("channel", "order", "replayed_by")
        .defer("raw_body", "payload")
        .annotate(
            raw_start=Substr("raw_body", 1, PREVIEW_BYTES, output_field=BinaryField()),
            raw_size=Length("raw_body"),
        )
    )


def _with_preview(receipt: Receipt) -> Receipt:
    receipt.raw_text = printable(bytes(receipt.raw_start or b""))
    receipt.raw_truncated = (receipt.raw_size or 0) > PREVIEW_BYTES
    return receipt


def unsettled_receipts_page(
    *, size: int, after: tuple | None = None, before: tuple | None = None
) -> KeysetPage:
    """One page of the inbox, newest first, with each body's preview (one query)."""
    page = keyset_page(
        _rows().filter(_unsettled()), order=ORDER, size=size, after=after, before=before
    )
    for receipt in page.items:
        _with_preview(receipt)
    return page


def inbox_receipt(*, pk: int) -> Receipt:
    """One receipt as an inbox row shows it, settled or not; raises Receipt.DoesNotExist."""
    return _with_preview(_rows().get(pk=pk))
