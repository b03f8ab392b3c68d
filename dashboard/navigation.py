"""The dashboard in the back-office navigation (registered in DashboardConfig.ready)."""

from dashboard.views.common import DASHBOARD_VIEWERS
from oms.navigation import NavItem, WorkCount, register
from orders.selectors import late_count


def register_navigation() -> None:
    register(
        NavItem(
            key="dashboard",
            label="Dashboard",
            url_name="dashboard:board",
            roles=DASHBOARD_VIEWERS,
            description="Volume and revenue per currency, the pipeline and its bottlenecks, "
            "late orders, stock-outs and returns, for a period and a channel.",
            order=100,
            active_for=("dashboard:",),
            work=WorkCount(
                count=late_count,
                one="order past its ship-by",
                many="orders past their ship-by",
                query="queue=late",
                url_name="orders:queue",
            ),
        ),
    )
