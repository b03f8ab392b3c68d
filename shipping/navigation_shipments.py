"""The shipments list in the back-office navigation (registered in ShippingConfig.ready)."""

from oms.navigation import NavItem, register
from oms.roles import Role


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
        ),
    )
