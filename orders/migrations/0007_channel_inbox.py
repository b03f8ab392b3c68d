import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def platform_from_receipts(apps, schema_editor):
    """A channel whose receipts all came through one door keeps that door, and only that one."""
    SalesChannel = apps.get_model("orders", "SalesChannel")
    Receipt = apps.get_model("orders", "ChannelWebhookReceipt")
    for channel in SalesChannel.objects.filter(webhook_platform=""):
        sources = set(Receipt.objects.filter(channel=channel).values_list("source", flat=True))
        if len(sources) == 1:
            channel.webhook_platform = sources.pop()
            channel.save(update_fields=["webhook_platform"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_dashboard_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="channelwebhookreceipt",
            name="webhook_receipt_unique_delivery",
        ),
        migrations.AddField(
            model_name="channelwebhookreceipt",
            name="body_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="channelwebhookreceipt",
            name="conflicts_with",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="conflicting_deliveries",
                to="orders.channelwebhookreceipt",
            ),
        ),
        migrations.AddField(
            model_name="channelwebhookreceipt",
            name="raw_body",
            field=models.BinaryField(default=b""),
        ),
        migrations.AddField(
            model_name="channelwebhookreceipt",
            name="replayed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="channelwebhookreceipt",
            name="replayed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="saleschannel",
            name="webhook_platform",
            field=models.CharField(
                blank=True,
                choices=[("shopify", "Shopify"), ("woocommerce", "WooCommerce")],
                default="",
                help_text="The marketplace whose order webhooks the webhook secret verifies; it opens no other door.",
                max_length=20,
            ),
        ),
        migrations.RunPython(platform_from_receipts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="orderhold",
            name="reason",
            field=models.CharField(
                choices=[
                    ("address_invalid", "Address invalid"),
                    ("unknown_sku", "Unknown SKU"),
                    ("payment_failed", "Payment failed"),
                    ("fraud_review", "Fraud review"),
                    ("customer_request", "Customer request"),
                    ("duplicate_suspect", "Duplicate suspected"),
                    ("invalid_data", "Invalid data"),
                    ("manual", "Manual"),
                ],
                max_length=30,
            ),
        ),
        migrations.AddIndex(
            model_name="channelwebhookreceipt",
            index=models.Index(
                condition=models.Q(("outcome__in", ["failed", ""])),
                fields=["-received_at", "-id"],
                name="receipt_unsettled",
            ),
        ),
        migrations.AddConstraint(
            model_name="channelwebhookreceipt",
            constraint=models.UniqueConstraint(
                condition=models.Q(("webhook_id", ""), _negated=True),
                fields=("channel", "source", "webhook_id", "body_sha256"),
                name="webhook_receipt_unique_delivery",
            ),
        ),
    ]
