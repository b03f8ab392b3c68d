"""IdempotencyKey moves from `orders` to `oms`, rows and all: the table is renamed, not rebuilt.

`orders.0002_idempotencykey_moved_to_oms` drops the model from the orders state. The index on
`created_at` and the primary key keep their `orders_…` names in the database; Django finds
them by introspection, and `idempotency_key_unique` was never prefixed.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oms", "0004_apiclient_service_keys"),
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("client_key", models.CharField(max_length=60)),
                        ("key", models.CharField(max_length=255)),
                        ("fingerprint", models.CharField(max_length=64)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("in_progress", "In progress"),
                                    ("completed", "Completed"),
                                ],
                                default="in_progress",
                                max_length=20,
                            ),
                        ),
                        (
                            "response_status",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("response_body", models.JSONField(blank=True, null=True)),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("client_key", "key"), name="idempotency_key_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE orders_idempotencykey RENAME TO oms_idempotencykey",
                    reverse_sql="ALTER TABLE oms_idempotencykey RENAME TO orders_idempotencykey",
                ),
            ],
        ),
    ]
