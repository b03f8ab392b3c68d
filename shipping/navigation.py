"""Where the pick-and-pack screens are reached from (registered in ShippingConfig.ready): the
back-office navigation, and the "Pick list" bulk action of the orders' Ready queue."""

from oms.navigation import NavItem, WorkCount
from oms.navigation import register as register_nav_item
from oms.roles import Role
from orders.queue_actions import QueueAction
from orders.queue_actions import register as register_queue_action
from orders.selectors import ready_count

# Picking, packing and handing parcels over: fulfillment and managers (the shipment
# transitions' `permission=` say the same).
PICKERS = (Role.FULFILLMENT, Role.MANAGER)


def register_navigation() -> None:
    register_nav_item(
        NavItem(
            key="pick_pack",
            label="Pick & pack",
            url_name="shipping:picking",
            roles=PICKERS,
            description="Make pick lists from the ready orders, walk them bin by bin, pack "
            "each parcel by scanning its items, print the labels and hand the parcels over.",
            order=240,
            active_for=(
                "shipping:picking",
                "shipping:pick_next",
                "shipping:pick_list",
                "shipping:pack",
            ),
            # Ready orders are picked from the orders' Ready queue (its "Pick list" action).
            work=WorkCount(
                count=ready_count,
                one="order ready to pick",
                many="orders ready to pick",
                query="queue=ready",
                url_name="orders:queue",
            ),
        ),
    )
    register_queue_action(
        QueueAction(
            key="pick_list",
            label="Pick list",
            url_name="shipping:picking",
            roles=PICKERS,
            queues=("ready",),
            description="Make a pick list of the selected orders, bin by bin.",
            order=10,
        )
    )
