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


# A receipt's message names at most this many released orders, then says how many more.
RELEASED_NAMED = 5


def released_sentence(numbers: list[str]) -> str:
    """The sentence a receipt's message ends with, naming the orders it released (or "")."""
    if not numbers:
        return ""
    named = numbers[:RELEASED_NAMED]
    more = len(numbers) - len(named)
    if more:
        listed = f"{', '.join(named)} and {more} more"
    elif len(named) > 1:
        listed = f"{', '.join(named[:-1])} and {named[-1]}"
    else:
        listed = named[0]
    verb = "is" if len(numbers) == 1 else "are"
    return f" {listed} {verb} now ready."


def all_warehouses() -> list[Warehouse]:
    """Every warehouse, loaded once per request for all the pickers on a page."""
    return list(Warehouse.objects.order_by("priority", "code"))
