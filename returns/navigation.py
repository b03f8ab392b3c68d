"""The returns app's screens in the back-office navigation (registered in ReturnsConfig.ready)."""

from oms.navigation import NavItem, WorkCount, register
from returns.selectors_backoffice import returns_to_decide_count, returns_to_receive_count
from returns.views.common import RECEIVERS, RETURN_VIEWERS


def register_navigation() -> None:
    register(
        NavItem(
            key="returns",
            label="Returns",
            url_name="returns:queue",
            roles=RETURN_VIEWERS,
            description="Every return by status, reason and age, oldest open first: find one "
            "by its RMA, order number or email; approve, reject, refund, exchange, close.",
            order=270,
            active_for=(
                "returns:queue",
                "returns:detail",
                "returns:approve",
                "returns:reject",
                "returns:refund",
                "returns:refund_quote",
                "returns:exchange",
                "returns:close",
                "returns:label",
            ),
            work=WorkCount(
                count=returns_to_decide_count,
                one="return awaits a decision",
                many="returns await a decision",
                query="status=requested",
            ),
        ),
        NavItem(
            key="returns_receive",
            label="Receive returns",
            url_name="returns:receive",
            roles=RECEIVERS,
            description="Scan a returned parcel's RMA number, record what arrived and in what "
            "condition: sellable units go back on the shelf.",
            order=275,
            work=WorkCount(
                count=returns_to_receive_count,
                one="return to receive",
                many="returns to receive",
                query="status=approved",
                url_name="returns:queue",
            ),
        ),
    )
