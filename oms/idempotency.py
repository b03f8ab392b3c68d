"""`Idempotency-Key` for every API write that accepts it: the same key and body replays the
first response.

Order capture, refunds, payments, shipments and returns all wrap their handler in `idempotent`,
so the header means the same everywhere. Keys are per client (`client_key`) and kept at least
24 hours (`oms.tasks.purge_idempotency_keys`).

The key row is committed *before* the work starts (its own short transaction), so a second
request with the same key sees it at once: still running → 409 `request_in_progress`; finished
→ the stored status and body with `Idempotent-Replayed: true`; another body → 422
`idempotency_key_reused`. A request that failed before it made anything frees its key so the
client may retry.

A process can die between committing its work and storing its response. An endpoint that makes
something (order capture) closes that gap: inside the transaction that makes it, it calls
`remember_resource`, and passes `replay` to `idempotent`. A retry that finds the key still in
progress with a resource remembered — the first request committed, whether it died since or is
about to answer — gets `replay(resource)`, stored as the key's response from then on.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from oms.api import error_body
from oms.models import ApiClient, IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A request still "in progress" after this long died without cleaning up; its key is reusable.
ABANDONED_AFTER = timedelta(minutes=5)
# Where `idempotent` leaves the key row's id on the request for `remember_resource`.
KEY_ID_ATTRIBUTE = "idempotency_key_id"


def client_key(request) -> str:
    """Whose key it is: the API client for a key, else the signed-in user."""
    if isinstance(request.auth, ApiClient):
        return f"client:{request.auth.pk}"
    return f"user:{request.user.pk}"


def fingerprint(request) -> str:
    """The method, path and parsed body, hashed: a retry must send the same request."""
    body = json.dumps(request.data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def remember_resource(request, *, resource: str) -> None:
    """Tell the request's key what the request made; call it inside the transaction that made
    it, so the two commit together. Without an Idempotency-Key it does nothing."""
    key_id = getattr(request, KEY_ID_ATTRIBUTE, None)
    if key_id is not None:
        IdempotencyKey.objects.filter(pk=key_id).update(resource=resource)


def _claim(owner: str, key: str, print_: str) -> tuple[IdempotencyKey, bool]:
    """Insert the key as in progress; (row, True) if ours, (existing row, False) otherwise."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                client_key=owner, key=key, fingerprint=print_
            ), True
    except IntegrityError:
        pass
    with transaction.atomic():
        row = IdempotencyKey.objects.select_for_update().get(client_key=owner, key=key)
        # Abandoned: its request died long ago without making anything (one that made
        # something is answered with it instead, never run again).
        abandoned = (
            row.state == IdempotencyKey.State.IN_PROGRESS
            and row.created_at < timezone.now() - ABANDONED_AFTER
            and row.fingerprint == print_
            and not row.resource
        )
        if abandoned:
            row.created_at = timezone.now()
            row.save(update_fields=["created_at"])
            return row, True
        return row, False


def _complete(row: IdempotencyKey, response: Response) -> None:
    IdempotencyKey.objects.filter(pk=row.pk).update(
        state=IdempotencyKey.State.COMPLETED,
        response_status=response.status_code,
        response_body=response.data,
    )


def _answer_made(row: IdempotencyKey, replay) -> Response:
    """The first request committed what it made but never stored its answer: answer with it."""
    response = replay(row.resource)
    if response.status_code < 500:
        _complete(row, response)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request, handler, *, replay=None) -> Response:
    """Run `handler()` once per (client, Idempotency-Key); without the header, just run it.

    `replay(resource)` answers a retry whose first request made `resource` (see
    `remember_resource`) but never stored its response."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH:
        return Response(
            error_body("validation_error", f"{HEADER} is longer than {MAX_KEY_LENGTH} characters."),
            status=400,
        )
    print_ = fingerprint(request)
    row, ours = _claim(client_key(request), key, print_)
    if not ours:
        if row.fingerprint != print_:
            return Response(
                error_body(
                    "idempotency_key_reused",
                    "This Idempotency-Key was used with a different request body.",
                ),
                status=422,
            )
        if row.state == IdempotencyKey.State.IN_PROGRESS and row.resource and replay:
            return _answer_made(row, replay)
        if row.state == IdempotencyKey.State.IN_PROGRESS:
            return Response(
                error_body(
                    "request_in_progress",
                    "A request with this Idempotency-Key is still being processed; retry later.",
                ),
                status=409,
            )
        return Response(
            row.response_body, status=row.response_status, headers={"Idempotent-Replayed": "true"}
        )
    setattr(request, KEY_ID_ATTRIBUTE, row.pk)
    # A failure frees the key for a retry, unless the request had already made something.
    unmade = IdempotencyKey.objects.filter(pk=row.pk, resource="")
    try:
        response = handler()
    except BaseException:
        unmade.delete()
        raise
    if response.status_code >= 500:
        unmade.delete()
        return response
    _complete(row, response)
    return response


# The header as the OpenAPI schema documents it, for every endpoint that honours it.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    description="Send the same key to retry safely: the first response is replayed.",
)
