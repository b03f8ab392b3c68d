"""Reads the dashboard page needs besides `dashboard()`: the channels to filter by."""

from orders.models import SalesChannel


def sales_channels() -> list[SalesChannel]:
    """Every channel, inactive ones too (their history is still on the dashboard); one query."""
    return list(SalesChannel.objects.order_by("code"))
