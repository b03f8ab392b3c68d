"""What every inventory view shares: who may do what, warehouses."""

from inventory.models import Warehouse
from oms.roles import Role

# Everyone who works with stock may look; only those who handle it may change it.
STOCK_VIEWERS = (Role.FULFILLMENT, Role.MANAGER, Role.SUPPORT)
STOCK_KEEPERS = (Role.FULFILLMENT, Role.MANAGER)

# The stock actions on a product's page, each at products/<sku>/<action>/.
PRODUCT_ACTIONS = ("receive", "adjust", "count", "transfer", "settings")


def units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def all_warehouses() -> list[Warehouse]:
    """Every warehouse, loaded once per request for all the pickers on a page."""
    return list(Warehouse.objects.order_by("priority", "code"))
