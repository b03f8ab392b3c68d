from django.db import migrations

from oms.db_indexes import PostgresIndex

OPEN_STATUSES = "'pending', 'on_hold', 'backordered', 'ready', 'fulfilling', 'partially_shipped'"


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_order_shipped_at_units"),
    ]

    operations = [
        # Lead times and the on-time share: the period's shipped orders with their placing time,
        # ship-by and channel, from the index alone. It replaces order_shipped (shipped_at only).
        migrations.RemoveIndex(model_name="order", name="order_shipped"),
        PostgresIndex(
            "order_shipped_lead",
            "orders_order",
            "shipped_at",
            include="placed_at, ship_by, channel_id",
            where="shipped_at IS NOT NULL",
        ),
        # The open slice (pipeline by status and age, lateness, backorders, holds): a few days
        # of orders whatever the shop's size, read from the index alone.
        PostgresIndex(
            "order_open_pipeline",
            "orders_order",
            "status, placed_at",
            include="id, ship_by, channel_id",
            where=f"status IN ({OPEN_STATUSES})",
        ),
    ]
