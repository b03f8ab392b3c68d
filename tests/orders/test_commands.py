import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from orders.models import ChannelApiKey, SalesChannel

pytestmark = pytest.mark.django_db


def test_create_channel_creates_then_updates():
    out = io.StringIO()
    call_command(
        "create_channel",
        "--code",
        "shopify",
        "--kind",
        "marketplace",
        "--currency",
        "usd",
        "--webhook-secret",
        "s3cret",
        stdout=out,
    )
    assert "Created channel shopify (marketplace, USD)." in out.getvalue()
    call_command(
        "create_channel",
        "--code",
        "shopify",
        "--kind",
        "marketplace",
        "--currency",
        "EUR",
        stdout=io.StringIO(),
    )
    channel = SalesChannel.objects.get()
    assert (channel.currency, channel.webhook_secret) == ("EUR", "s3cret")


def test_create_channel_sets_the_capture_policy_and_keeps_it_when_not_given():
    def create_channel(*extra):
        base = ("--code", "phone", "--kind", "manual", "--currency", "USD")
        call_command("create_channel", *base, *extra, stdout=io.StringIO())
        return SalesChannel.objects.get(code="phone").capture_policy

    assert create_channel() == SalesChannel.CapturePolicy.ON_SHIP
    assert create_channel("--capture-policy", "on_confirm") == "on_confirm"
    assert create_channel("--name", "Phone orders") == "on_confirm"
    assert create_channel("--capture-policy", "on_ship") == "on_ship"


def test_create_channel_rejects_an_unknown_capture_policy():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "create_channel",
            *("--code", "x", "--kind", "web", "--currency", "USD"),
            *("--capture-policy", "on_payday"),
            stderr=io.StringIO(),
        )
    assert SalesChannel.objects.count() == 0


def test_create_channel_rejects_a_bad_currency():
    with pytest.raises(CommandError, match="three-letter"):
        call_command("create_channel", "--code", "x", "--kind", "web", "--currency", "dollars")
    assert SalesChannel.objects.count() == 0


def test_create_api_key_for_a_channel_prints_a_key_that_captures_for_it():
    call_command(
        "create_channel",
        "--code",
        "web",
        "--kind",
        "web",
        "--currency",
        "USD",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("create_api_key", "--channel", "web", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    assert ChannelApiKey.objects.get().channel.code == "web"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/orders/").status_code == 200


def test_create_api_key_for_unknown_channel_fails():
    with pytest.raises(CommandError, match="No channel 'nope'"):
        call_command("create_api_key", "--channel", "nope", stdout=io.StringIO())


def test_create_channel_sets_the_webhook_platform_and_keeps_it_when_not_given():
    def create_channel(*extra):
        base = ("--code", "shop", "--kind", "marketplace", "--currency", "USD")
        call_command("create_channel", *base, *extra, stdout=io.StringIO())
        return SalesChannel.objects.get(code="shop").webhook_platform

    assert create_channel("--webhook-secret", "s3cret") == ""
    assert create_channel("--webhook-platform", "shopify") == "shopify"
    assert create_channel("--name", "Shop") == "shopify"
    with pytest.raises(CommandError, match="invalid choice"):
        create_channel("--webhook-platform", "etsy")
