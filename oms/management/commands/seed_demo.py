from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oms.demo import DEMO_PASSWORD, demo_seeders, seed_demo_users
from oms.roles import Role


class Command(BaseCommand):
    help = (
        "Create (or refresh) demo data: one user per role with a known password, then each "
        "app's demo data. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo users have a published password).",
        )
        parser.add_argument(
            "--skip",
            action="append",
            default=[],
            metavar="NAME",
            help="Leave out one app's demo data (e.g. history); may be repeated.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to create demo users with a published password while DEBUG is off; "
                "pass --allow-production if this really is a demo instance."
            )
        seeders = demo_seeders()
        unknown = sorted(set(options["skip"]) - set(seeders))
        if unknown:
            raise CommandError(
                f"No demo data named {', '.join(unknown)}; the names are {', '.join(seeders)}."
            )
        users = seed_demo_users()
        admin = next(user for user, role in users if role == Role.ADMIN)
        for name, seeder in seeders.items():
            if name in options["skip"]:
                continue
            summary = seeder(admin)
            details = ", ".join(
                f"{key.replace('_', ' ')} {value}" for key, value in summary.items()
            )
            self.stdout.write(f"{name}: {details}")
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for user, role in users:
            self.stdout.write(f"  {user.username:<12} {role.value}")
