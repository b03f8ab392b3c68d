from django.db import migrations

from oms.db_indexes import PostgresIndex


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_movement_kind_settings"),
    ]

    operations = [
        # Units shipped per product lately (the dashboard's stock cover): only the ledger's
        # ship rows, by product and time, with their quantities.
        PostgresIndex(
            "movement_shipped",
            "inventory_stockmovement",
            "product_id, created_at",
            include="on_hand_delta",
            where="kind = 'ship'",
        ),
    ]
