"""Demo data for `make run` and the browser tests.

The platform seeds one user per role with a known password; each app above it registers its own
seeder (`register_demo_seeder` in its `AppConfig.ready`), run in app order after the users.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from oms.roles import Role

DEMO_PASSWORD = "demo-oms-2026"
DEMO_USERS = (
    # username, role, first name
    ("fulfillment", Role.FULFILLMENT, "Fran"),
    ("support", Role.SUPPORT, "Sam"),
    ("manager", Role.MANAGER, "Morgan"),
    ("admin", Role.ADMIN, "Alex"),
)

_SEEDERS: dict[str, Callable] = {}


def register_demo_seeder(name: str, seeder: Callable) -> None:
    """`seeder(actor)` creates the app's demo data idempotently and returns a summary dict."""
    _SEEDERS[name] = seeder


def demo_seeders() -> dict[str, Callable]:
    return dict(_SEEDERS)


@transaction.atomic
def seed_demo_users() -> list:
    """Create or reset the demo users; running it again changes nothing else."""
    User = get_user_model()
    users = []
    for username, role, first_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = first_name
        user.last_name = role.value
        user.email = f"{username}@demo.oms.example"
        user.is_active = True
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role == Role.ADMIN:
            user.groups.clear()
        else:
            group, _ = Group.objects.get_or_create(name=role.value)
            user.groups.set([group])
        users.append((user, role))
    return users
