from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from oms.services import api_client_create


class Command(BaseCommand):
    help = (
        "Issue an API key and print it (alone, on the last line). "
        "--user NAME: the key acts with that staff user's role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username the key acts as")
        parser.add_argument("--name", help="what uses the key (default: '<user> key')")

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user named {options['user']!r}.") from error
        client, key = api_client_create(name=options["name"] or f"{user.username} key", user=user)
        self.stderr.write(f"Created API key {client.key_prefix}… for {user.username}.")
        self.stdout.write(key)
