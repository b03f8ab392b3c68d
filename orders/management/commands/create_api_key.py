from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from oms.services import api_client_create
from orders.models import SalesChannel
from orders.services import channel_api_key_create


class Command(BaseCommand):
    help = (
        "Issue an API key and print it alone on the last line. "
        "--channel CODE: the key captures and reads that channel's orders. "
        "--user NAME: the key acts with that staff user's role."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--channel", help="code of the channel the key captures for")
        target.add_argument("--user", help="username the key acts as")
        parser.add_argument("--name", help="what uses the key (default: '<channel|user> key')")

    def handle(self, *args, **options):
        if options["channel"]:
            channel = SalesChannel.objects.filter(code=options["channel"]).first()
            if channel is None:
                raise CommandError(
                    f"No channel {options['channel']!r}; create it with `create_channel` first."
                )
            client, key = channel_api_key_create(
                channel=channel, name=options["name"] or f"{channel.code} key"
            )
            owner = f"channel {channel.code}"
        else:
            User = get_user_model()
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user named {options['user']!r}.")
            client, key = api_client_create(
                name=options["name"] or f"{user.username} key", user=user
            )
            owner = user.username
        self.stderr.write(f"Created API key {client.key_prefix}… for {owner}.")
        self.stdout.write(key)
