"""The duplicate-suspect rule reads orders by UPPER(email) within ±10 minutes of placed_at
(`email__iexact`); the plain index on email cannot serve an upper-cased comparison, so without
this one the rule read every order placed in its window."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_order_tax_rate"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                django.db.models.functions.text.Upper("email"),
                models.F("placed_at"),
                name="order_email_upper_placed",
            ),
        ),
    ]
