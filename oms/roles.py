"""Roles: who may use what.

Fulfillment, Support and Manager are auth groups (created by a data migration); superusers are
Admin and hold every role. Views use `role_required` / `RoleRequiredMixin`, the API uses
`oms.api.HasRole`; both ask `user_has_role`.
"""

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    FULFILLMENT = "Fulfillment"
    SUPPORT = "Support"
    MANAGER = "Manager"
    ADMIN = "Admin"


GROUP_ROLES = (Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER)
STAFF_ROLES = (Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER, Role.ADMIN)

# Model permissions each group holds ("app_label.codename"), for the admin site and for
# `user.has_perm` checks. Attached after every migrate by `sync_role_permissions`, so an entry
# whose model lands in a later migration is picked up then.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.FULFILLMENT: (),
    Role.SUPPORT: (),
    Role.MANAGER: (
        "oms.view_workerheartbeat",
        "oms.view_apiclient",
        "oms.view_webhookendpoint",
        "oms.view_webhookevent",
        "oms.view_webhookdelivery",
        "oms.view_webhookattempt",
    ),
}


def user_roles(user) -> frozenset[Role]:
    """The roles a user holds, read once per request object."""
    if not user or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_oms_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Role)
        else:
            names = set(user.groups.values_list("name", flat=True))
            cached = frozenset(role for role in GROUP_ROLES if role.value in names)
        user._oms_roles = cached
    return cached


def user_has_role(user, *roles: Role) -> bool:
    """True when the user holds any of `roles` (superusers hold all of them)."""
    held = user_roles(user)
    if Role.ADMIN in held:
        return True
    return bool(held.intersection(roles))


def role_required(*roles: Role) -> Callable:
    """View decorator: anonymous → login page; signed in without one of `roles` → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


class RoleRequiredMixin(AccessMixin):
    """Class-based twin of `role_required`; set `allowed_roles` on the view."""

    allowed_roles: Iterable[Role] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_has_role(request.user, *self.allowed_roles):
            raise PermissionDenied("Your role does not give access to this page.")
        return super().dispatch(request, *args, **kwargs)


def sync_role_permissions(**kwargs) -> None:
    """Give each role group exactly the permissions ROLE_PERMISSIONS lists (post_migrate)."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            wanted.extend(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)
