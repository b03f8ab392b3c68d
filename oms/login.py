"""Sign-in with brakes on password guessing, for `/login/` and the admin's login alike.

Failed attempts are counted in the cache — Redis when `REDIS_URL` is set, so every web process
shares the counts — on two counters:

- per account *and* client address: guessing one account's password. Counting per address
  means an attacker elsewhere can brake only their own attempts; the real user still signs in.
- per client address across accounts: password spraying, one likely password tried on many
  accounts, which the first counter never sees twice.

While a counter is at its limit, attempts are refused without checking the password, until
the window that began with its first failure passes. A successful sign-in clears the account's
count from that address and never the address's count, so signing in with one account an
attacker holds does not reset the spraying brake. The client address comes from
`oms.client_address` (X-Forwarded-For only behind `TRUSTED_PROXY_COUNT` proxies); IPv6
addresses count per /64 network, which one machine or site usually holds whole.
"""

import hashlib
import ipaddress

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError

from oms.client_address import client_address

ACCOUNT_MAX_FAILURES = 10
ADDRESS_MAX_FAILURES = 30
WINDOW_SECONDS = 15 * 60


def address_bucket(address: str) -> str:
    """The unit an address is counted in: itself for IPv4, its /64 network for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account_key(address: str, username: str) -> str:
    # Hashed: a username may be long or hold characters a cache key should not.
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:account:{address_bucket(address)}:{account}"


def address_key(address: str) -> str:
    return f"login-failures:address:{address_bucket(address)}"


def _count_failure(key: str) -> None:
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)  # Keeps the window the first failure opened.
    except ValueError:
        cache.add(key, 1, WINDOW_SECONDS)  # The window closed between the two calls.


class LoginBrakeMixin:
    """Refuses a sign-in while a brake is on; counts each failure. Mixed into a Django
    authentication form, before it."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many failed sign-ins for this account from here. "
            "Wait 15 minutes, or ask an administrator to reset your password."
        ),
        "address_throttled": (
            "Too many failed sign-ins from here. Wait 15 minutes before trying again."
        ),
    }

    def clean(self):
        address = client_address(self.request) if self.request else ""
        per_account = account_key(address, self.data.get("username", ""))
        per_address = address_key(address)
        failures = cache.get_many([per_account, per_address])
        if failures.get(per_account, 0) >= ACCOUNT_MAX_FAILURES:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        if failures.get(per_address, 0) >= ADDRESS_MAX_FAILURES:
            raise ValidationError(
                self.error_messages["address_throttled"], code="address_throttled"
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            _count_failure(per_account)
            _count_failure(per_address)
            raise
        cache.delete(per_account)
        return cleaned


class ThrottledAuthenticationForm(LoginBrakeMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(LoginBrakeMixin, AdminAuthenticationForm):
    error_messages = {
        **LoginBrakeMixin.error_messages,
        **AdminAuthenticationForm.error_messages,
    }


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True
