"""Platform writes: API keys and worker heartbeats."""

from django.db import transaction
from django.utils import timezone

from oms.models import ApiClient, WorkerHeartbeat


@transaction.atomic
def api_client_create(*, name: str, user) -> tuple[ApiClient, str]:
    """Issue a key acting as `user`; returns the client and the key, which is never stored."""
    key = ApiClient.generate_key()
    client = ApiClient.objects.create(
        name=name,
        user=user,
        key_prefix=key[: ApiClient.KEY_PREFIX_LENGTH],
        key_hash=ApiClient.hash_key(key),
    )
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> ApiClient:
    """Revoke a key: it stops authenticating at once. Revoking twice keeps the first time."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at", "updated_at"])
    return client


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """Note that `hostname` is alive now."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"beat_at": timezone.now()}
    )
    return heartbeat
