"""Brakes on password guessing, at /login/ and at the admin's login.

Each test signs in from its own documentation address (RFC 5737), so the counters one test
leaves in the cache — shared by the whole run — never brake another test.
"""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from oms.login import ACCOUNT_MAX_FAILURES, ADDRESS_MAX_FAILURES, account_key, address_key
from tests.oms.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
WRONG = "correct username and password"
BRAKED = "Too many failed sign-ins for this account from here"
SPRAY_BRAKED = "Too many failed sign-ins from here"


def sign_in(client, username, password, address, url=None, **headers):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def wait_until_gone(key: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while cache.get(key) is not None:
        assert time.monotonic() < deadline, f"{key} did not expire"
        time.sleep(0.05)


def test_admin_login_refuses_even_the_right_password_after_twelve_wrong_ones(
    client, user_with_role
):
    admin = user_with_role("Admin", username="root")
    address = "192.0.2.10"
    answers = [
        sign_in(client, "root", "guess", address, url=ADMIN_LOGIN).content.decode()
        for _ in range(12)
    ]
    assert all(WRONG in html for html in answers[:ACCOUNT_MAX_FAILURES])
    assert all(BRAKED in html for html in answers[ACCOUNT_MAX_FAILURES:])

    response = sign_in(client, "root", DEFAULT_PASSWORD, address, url=ADMIN_LOGIN)
    assert response.status_code == 200
    assert BRAKED in response.content.decode()
    assert signed_in_as(client) is None

    # The window passes (its counter expires, as Redis expires it), and the right password works.
    key = account_key(address, "root")
    cache.touch(key, 1)
    wait_until_gone(key)
    response = sign_in(client, "root", DEFAULT_PASSWORD, address, url=ADMIN_LOGIN)
    assert response.status_code == 302
    assert signed_in_as(client) == str(admin.pk)


def test_guessing_from_one_address_does_not_lock_the_user_out_from_another(client, user_with_role):
    user = user_with_role("Support", username="victim")
    attacker, office = "192.0.2.20", "198.51.100.20"
    for _ in range(ACCOUNT_MAX_FAILURES + 2):
        sign_in(client, "victim", "guess", attacker)
    assert BRAKED in sign_in(client, "victim", DEFAULT_PASSWORD, attacker).content.decode()
    assert signed_in_as(client) is None

    response = sign_in(client, "victim", DEFAULT_PASSWORD, office)
    assert response.status_code == 302
    assert signed_in_as(client) == str(user.pk)


def test_one_password_sprayed_across_accounts_from_one_address_is_braked(client, user_with_role):
    user = user_with_role("Support", username="target")
    sprayer, colleague = "192.0.2.30", "198.51.100.30"
    for number in range(ADDRESS_MAX_FAILURES):
        html = sign_in(client, f"staff{number}", "Summer2026!", sprayer).content.decode()
        assert WRONG in html  # each account is tried once: the per-account brake never fires
    response = sign_in(client, "target", DEFAULT_PASSWORD, sprayer)
    assert SPRAY_BRAKED in response.content.decode()
    assert signed_in_as(client) is None
    assert cache.get(address_key(sprayer)) == ADDRESS_MAX_FAILURES

    response = sign_in(client, "target", DEFAULT_PASSWORD, colleague)
    assert response.status_code == 302
    assert signed_in_as(client) == str(user.pk)


def test_signing_in_does_not_reset_the_spraying_count(client, user_with_role):
    user_with_role("Support", username="insider")
    address = "192.0.2.40"
    for number in range(5):
        sign_in(client, f"other{number}", "guess", address)
    assert sign_in(client, "insider", DEFAULT_PASSWORD, address).status_code == 302
    assert cache.get(address_key(address)) == 5


def test_a_forged_forwarded_for_is_ignored_without_trusted_proxies(
    client, user_with_role, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    user_with_role("Support", username="rotated")
    address = "192.0.2.50"
    # A new forged client address on every guess changes nothing: the peer address counts.
    for number in range(ACCOUNT_MAX_FAILURES):
        sign_in(client, "rotated", "guess", address, x_forwarded_for=f"203.0.113.{number}")
    response = sign_in(
        client, "rotated", DEFAULT_PASSWORD, address, x_forwarded_for="203.0.113.200"
    )
    assert BRAKED in response.content.decode()


def test_behind_one_trusted_proxy_the_client_address_is_the_one_it_appended(
    client, user_with_role, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    user = user_with_role("Support", username="proxied")
    proxy = "10.0.0.2"
    # The attacker forges an entry on the left; the proxy appends the address it saw.
    for _ in range(ACCOUNT_MAX_FAILURES):
        sign_in(client, "proxied", "guess", proxy, x_forwarded_for="198.51.100.1, 192.0.2.60")
    braked = sign_in(
        client, "proxied", DEFAULT_PASSWORD, proxy, x_forwarded_for="198.51.100.2, 192.0.2.60"
    )
    assert BRAKED in braked.content.decode()

    # The real user, another client behind the same proxy, signs in.
    response = sign_in(client, "proxied", DEFAULT_PASSWORD, proxy, x_forwarded_for="192.0.2.61")
    assert response.status_code == 302
    assert signed_in_as(client) == str(user.pk)
