from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from oms.validators import is_currency_code
from orders.models import SalesChannel, WebhookPlatform
from orders.services import sales_channel_upsert


class Command(BaseCommand):
    help = "Create a sales channel, or update the given fields of an existing one."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True)
        parser.add_argument("--kind", required=True, choices=SalesChannel.Kind.values)
        parser.add_argument("--currency", required=True, help="ISO 4217, e.g. USD")
        parser.add_argument("--name", default="")
        parser.add_argument("--webhook-secret", dest="webhook_secret", default=None)
        parser.add_argument(
            "--webhook-platform",
            dest="webhook_platform",
            choices=WebhookPlatform.values,
            default=None,
            help="The marketplace whose order webhooks the secret verifies (shopify or "
            "woocommerce); the secret opens no other door.",
        )
        parser.add_argument(
            "--capture-policy",
            dest="capture_policy",
            choices=SalesChannel.CapturePolicy.values,
            default=None,
            help="When card payments are captured: on_ship (default for a new channel) or "
            "on_confirm (as soon as the order is ready).",
        )

    def handle(self, *args, **options):
        currency = options["currency"].strip()
        if not is_currency_code(currency):
            raise CommandError("--currency must be a three-letter ISO 4217 code, e.g. USD.")
        try:
            channel, created = sales_channel_upsert(
                code=options["code"],
                kind=options["kind"],
                currency=currency,
                name=options["name"],
                webhook_secret=options["webhook_secret"],
                webhook_platform=options["webhook_platform"],
                capture_policy=options["capture_policy"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} channel {channel.code} ({channel.kind}, {channel.currency}).")
