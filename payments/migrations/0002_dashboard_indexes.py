from django.db import migrations

from oms.db_indexes import PostgresIndex


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        # Money given back over a period: the succeeded refunds with their amount and payment.
        PostgresIndex(
            "payment_txn_refunded",
            "payments_paymenttransaction",
            "completed_at",
            include="amount, payment_id",
            where="kind = 'refund' AND status = 'succeeded'",
        ),
        # ...and each refund's currency (and order), looked up by payment id without the table.
        PostgresIndex("payment_currency", "payments_payment", "id", include="currency, order_id"),
    ]
