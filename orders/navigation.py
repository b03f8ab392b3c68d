"""The orders app's screens in the back-office navigation (registered in OrdersConfig.ready)."""

from oms.navigation import GlobalSearch, NavItem, WorkCount, register, register_search
from oms.roles import Role
from orders.selectors import attention_count
from orders.selectors_inbox import unsettled_receipt_count


def register_navigation() -> None:
    register(
        NavItem(
            key="orders",
            label="Orders",
            url_name="orders:queue",
            roles=(Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER),
            description="Work the queues: orders on hold, ready, backordered and late; "
            "filter, search, act on many at once, and open any order.",
            order=200,
            active_for=("orders:",),
            work=WorkCount(
                count=attention_count,
                one="order needs attention",
                many="orders need attention",
                query="queue=attention",
            ),
        ),
        NavItem(
            key="orders_manual_new",
            label="New order",
            url_name="orders_manual:builder",
            roles=(Role.SUPPORT, Role.MANAGER),
            description="Take a phone or counter order: customer, items with live stock, "
            "delivery and totals, then place it.",
            order=210,
        ),
        NavItem(
            key="orders_import",
            label="Import orders",
            url_name="orders_import:upload",
            roles=(Role.SUPPORT, Role.MANAGER),
            description="Upload a marketplace's CSV export, check every row, then capture "
            "its orders; orders imported before are skipped.",
            order=220,
            active_for=("orders_import:",),
        ),
        NavItem(
            key="orders_inbox",
            label="Channel inbox",
            url_name="orders_inbox:list",
            roles=(Role.SUPPORT, Role.MANAGER),
            description="Shopify and WooCommerce deliveries that did not become an order, "
            "with the reason and the body as received: fix the cause, then replay them.",
            order=225,
            active_for=("orders_inbox:",),
            work=WorkCount(
                count=unsettled_receipt_count,
                one="channel delivery waits",
                many="channel deliveries wait",
            ),
        ),
    )
    register_search(
        GlobalSearch(
            url_name="orders:search",
            roles=(Role.SUPPORT, Role.MANAGER, Role.FULFILLMENT),
            placeholder="Order no., external id, email, phone, name, SKU…",
        )
    )
