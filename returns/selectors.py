"""Reads: what may be returned, return rates by SKU and by reason (the dashboard uses them)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from returns.models import ReturnLine, ReturnReason, ReturnStatus
from shipping.models import SHIPPED_STATUSES, Shipment, ShipmentLine


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class SkuReturnRate:
    sku: str
    shipped: int
    returned: int

    @property
    def rate(self) -> Decimal:
        if not self.shipped:
            return Decimal(0)
        return (Decimal(self.returned) / self.shipped).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class ReasonShare:
    reason: str
    label: str
    units: int
    share: Decimal


def _returned_lines(date_from: date, date_to: date):
    """Return lines of returns opened in the range and not rejected."""
    return ReturnLine.objects.filter(
        return_request__created_at__gte=_start_of_day(date_from),
        return_request__created_at__lt=_start_of_day(date_to + timedelta(days=1)),
    ).exclude(return_request__status=ReturnStatus.REJECTED)


def return_rates_by_sku(*, date_from: date, date_to: date, channel=None) -> list[SkuReturnRate]:
    """Per SKU: units shipped in the range, units asked back by returns opened in it, and the
    rate; highest rate first. Two grouped queries, whatever the number of SKUs.

    Both read the lines' own copies of their SKU (and parcel lines their ship time, index
    `shipment_line_shipped`) instead of joining parcels and order lines: a month of a large
    shop's parcel lines is most of a million rows, and each join costs a probe per row."""
    shipped_lines = ShipmentLine.objects.filter(
        shipped_at__gte=_start_of_day(date_from),
        shipped_at__lt=_start_of_day(date_to + timedelta(days=1)),
    )
    returned_lines = _returned_lines(date_from, date_to)
    if channel is not None:
        parcels = Shipment.objects.filter(
            status__in=SHIPPED_STATUSES,
            shipped_at__gte=_start_of_day(date_from),
            shipped_at__lt=_start_of_day(date_to + timedelta(days=1)),
            order__channel=channel,
        )
        shipped_lines = shipped_lines.filter(shipment__in=parcels)
        returned_lines = returned_lines.filter(return_request__order__channel=channel)
    shipped = dict(
        # No ordering: the parcel lines' default one would join their parcels.
        shipped_lines.order_by()
        .values("sku")
        .annotate(units=Sum("quantity"))
        .values_list("sku", "units")
    )
    returned = dict(
        returned_lines.order_by()
        .values("sku")
        .annotate(units=Sum("quantity"))
        .values_list("sku", "units")
    )
    rates = [
        SkuReturnRate(sku=sku, shipped=shipped.get(sku, 0), returned=returned.get(sku, 0))
        for sku in sorted(set(shipped) | set(returned))
    ]
    return sorted(rates, key=lambda rate: (-rate.rate, -rate.returned, rate.sku))


def return_reasons(*, date_from: date, date_to: date, channel=None) -> list[ReasonShare]:
    """Units asked back per reason over the range, with each reason's share; every reason is
    listed (zero included), most units first."""
    lines = _returned_lines(date_from, date_to)
    if channel is not None:
        lines = lines.filter(return_request__order__channel=channel)
    units = dict(
        lines.values("reason").annotate(units=Sum("quantity")).values_list("reason", "units")
    )
    total = sum(units.values())
    shares = [
        ReasonShare(
            reason=reason.value,
            label=reason.label,
            units=units.get(reason.value, 0),
            share=(Decimal(units.get(reason.value, 0)) / total).quantize(Decimal("0.0001"))
            if total
            else Decimal(0),
        )
        for reason in ReturnReason
    ]
    return sorted(shares, key=lambda share: (-share.units, share.reason))
