"""IdempotencyKey now lives in `oms` (`oms.0005_idempotencykey` renamed its table): only the
model leaves the orders state; the database is not touched here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("oms", "0005_idempotencykey"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
