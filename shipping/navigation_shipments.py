"""The shipments list in the back-office navigation (registered in ShippingConfig.ready)."""

from oms.navigation import NavItem, WorkCount, register
from oms.roles import Role
from shipping.selectors import exception_count


def register_shipments_navigation() -> None:
    register(
        NavItem(
            key="shipments",
            label="Shipments",
            url_name="shipping:shipments",
            roles=(Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER),
            description="Every parcel by status, carrier, warehouse and date: find one by its "
            "shipment, tracking or order number, follow its tracking, mark parcels shipped.",
            order=260,
            active_for=(
                "shipping:shipment",
                "shipping:shipments_bulk_ship",
                "shipping:shipment_ship",
                "shipping:shipment_cancel",
            ),
            work=WorkCount(
                count=exception_count,
                one="parcel in exception",
                many="parcels in exception",
                query="exceptions=on",
            ),
        ),
    )
