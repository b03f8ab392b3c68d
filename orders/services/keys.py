"""Channel API keys: a key that captures and reads one channel's orders."""

from django.db import transaction

from oms.models import ApiClient
from oms.services import api_client_create
from orders.models import ChannelApiKey, SalesChannel


@transaction.atomic
def channel_api_key_create(*, channel: SalesChannel, name: str = "") -> tuple[ApiClient, str]:
    """Issue a key for `channel`; returns the client and the key, which is never stored."""
    client, key = api_client_create(name=name or f"{channel.code} key", user=None)
    ChannelApiKey.objects.create(client=client, channel=channel)
    return client, key


@transaction.atomic
def sales_channel_upsert(
    *,
    code: str,
    kind: str,
    currency: str,
    name: str = "",
    webhook_secret: str | None = None,
    webhook_platform: str | None = None,
    capture_policy: str | None = None,
) -> tuple[SalesChannel, bool]:
    """Create a channel or update the given fields of an existing one."""
    channel, created = SalesChannel.objects.select_for_update().get_or_create(
        code=code,
        defaults={"kind": kind, "currency": currency.upper(), "name": name or code.title()},
    )
    if not created:
        channel.kind = kind
        channel.currency = currency.upper()
        if name:
            channel.name = name
    if webhook_secret is not None:
        channel.webhook_secret = webhook_secret
    if webhook_platform is not None:
        channel.webhook_platform = webhook_platform
    if capture_policy is not None:
        channel.capture_policy = capture_policy
    channel.full_clean()
    channel.save()
    return channel, created
