"""How orders reacts to the inventory app below it (connected in OrdersConfig.ready)."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from inventory.signals import stock_available_increased


@receiver(stock_available_increased, dispatch_uid="orders.reprocess_backorders")
def reprocess_backorders_on_stock_arrival(sender, product_ids, **kwargs):
    from orders.tasks import reprocess_backorders

    transaction.on_commit(partial(reprocess_backorders.delay, sorted(product_ids)), robust=True)
