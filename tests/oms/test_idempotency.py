"""`Idempotency-Key` handling every write endpoint shares (`oms.idempotency`).

The endpoint here is a bare view that counts how often its handler ran; order capture's use of
the header is tested end to end in tests/orders/test_api_concurrency.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from oms.idempotency import HEADER, fingerprint, idempotent, remember_resource
from oms.models import IdempotencyKey
from oms.services import api_client_create
from oms.tasks import purge_idempotency_keys
from tests.oms.factories import UserFactory

pytestmark = pytest.mark.django_db

PATH = "/api/v1/things/"


class Endpoint:
    """A POST endpoint whose handler answers 201 with how many times it has run."""

    def __init__(self, respond=None):
        self.runs = 0
        self.respond = respond or (lambda runs: Response({"run": runs}, status=201))
        endpoint = self

        class View(APIView):
            permission_classes = []

            def post(self, request):
                return idempotent(request, endpoint.handle)

        self.view = View.as_view()

    def handle(self) -> Response:
        self.runs += 1
        return self.respond(self.runs)

    def send(self, user, body=None, *, key: str | None = "key-1", client=None) -> Response:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        request = APIRequestFactory().post(PATH, body or {"sku": "MUG"}, format="json", **headers)
        force_authenticate(request, user=user, token=client)
        return self.view(request)


@pytest.fixture
def user():
    return UserFactory()


def test_without_the_header_every_request_runs():
    endpoint = Endpoint()
    user = UserFactory()
    first, second = endpoint.send(user, key=None), endpoint.send(user, key=None)
    assert (first.data, second.data) == ({"run": 1}, {"run": 2})
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_and_body_replays_the_first_response(user):
    endpoint = Endpoint()
    first = endpoint.send(user)
    replay = endpoint.send(user)
    assert endpoint.runs == 1
    assert (replay.status_code, replay.data) == (201, {"run": 1})
    assert replay["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    row = IdempotencyKey.objects.get()
    assert (row.state, row.response_status, row.response_body) == ("completed", 201, {"run": 1})


def test_the_same_key_with_another_body_is_refused(user):
    endpoint = Endpoint()
    endpoint.send(user, {"sku": "MUG"})
    other = endpoint.send(user, {"sku": "TOWEL"})
    assert other.status_code == 422
    assert other.data["error"]["code"] == "idempotency_key_reused"
    assert endpoint.runs == 1


def test_a_retry_while_the_first_request_runs_is_told_to_wait(user):
    retries = []
    endpoint = Endpoint(
        respond=lambda runs: retries.append(endpoint.send(user)) or Response({}, status=201)
    )
    endpoint.send(user)
    assert retries[0].status_code == 409
    assert retries[0].data["error"]["code"] == "request_in_progress"
    assert endpoint.runs == 1


def test_a_key_whose_request_died_long_ago_may_be_used_again(user):
    endpoint = Endpoint()
    request = APIRequestFactory().post(PATH, {"sku": "MUG"}, format="json")
    force_authenticate(request, user=user)
    request = APIView().initialize_request(request)
    IdempotencyKey.objects.create(
        client_key=f"user:{user.pk}",
        key="key-1",
        fingerprint=fingerprint(request),
        created_at=timezone.now() - timedelta(minutes=6),
    )
    response = endpoint.send(user)
    assert (response.status_code, endpoint.runs) == (201, 1)


def test_a_crash_or_server_error_frees_the_key_for_a_retry(user):
    def crash(runs):
        raise RuntimeError("gateway down")

    with pytest.raises(RuntimeError):
        Endpoint(respond=crash).send(user)
    assert not IdempotencyKey.objects.exists()

    failing = Endpoint(respond=lambda runs: Response({}, status=503 if runs == 1 else 201))
    assert failing.send(user).status_code == 503
    assert not IdempotencyKey.objects.exists()
    assert failing.send(user).status_code == 201
    assert failing.runs == 2


def _made_by_a_dead_request(user, *, minutes_ago: int = 0) -> IdempotencyKey:
    """The key as a process leaves it that died after committing what it made (`made-1`) and
    before storing its response."""
    request = APIRequestFactory().post(PATH, {"sku": "MUG"}, format="json")
    force_authenticate(request, user=user)
    return IdempotencyKey.objects.create(
        client_key=f"user:{user.pk}",
        key="key-1",
        fingerprint=fingerprint(APIView().initialize_request(request)),
        resource="made-1",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


class MakingEndpoint(Endpoint):
    """An endpoint that makes something and remembers it on the key, as order capture does."""

    def __init__(self):
        super().__init__()
        endpoint = self

        class View(APIView):
            permission_classes = []

            def post(self, request):
                return idempotent(request, lambda: endpoint.make(request), replay=endpoint.show)

        self.view = View.as_view()

    def make(self, request) -> Response:
        self.runs += 1
        remember_resource(request, resource=f"made-{self.runs}")
        return Response({"made": f"made-{self.runs}"}, status=201)

    def show(self, resource: str) -> Response:
        return Response({"made": resource}, status=201)


@pytest.mark.parametrize("minutes_ago", [0, 60])
def test_a_retry_after_a_crash_between_commit_and_answer_gets_what_was_made(user, minutes_ago):
    _made_by_a_dead_request(user, minutes_ago=minutes_ago)
    endpoint = MakingEndpoint()
    retry = endpoint.send(user)
    assert (retry.status_code, retry.data, endpoint.runs) == (201, {"made": "made-1"}, 0)
    assert retry["Idempotent-Replayed"] == "true"
    row = IdempotencyKey.objects.get()
    assert (row.state, row.response_status, row.response_body) == ("completed", 201, retry.data)


def test_without_a_replay_a_made_but_unanswered_key_is_still_in_progress(user):
    _made_by_a_dead_request(user)
    endpoint = Endpoint()
    response = endpoint.send(user)
    assert (response.status_code, endpoint.runs) == (409, 0)
    assert response.data["error"]["code"] == "request_in_progress"


def test_the_made_resource_is_remembered_and_the_answer_stored(user):
    endpoint = MakingEndpoint()
    first, replay = endpoint.send(user), endpoint.send(user)
    assert (first.data, replay.data, endpoint.runs) == ({"made": "made-1"}, {"made": "made-1"}, 1)
    row = IdempotencyKey.objects.get()
    assert (row.state, row.resource) == ("completed", "made-1")


def test_a_failure_after_something_was_made_keeps_the_key(user):
    endpoint = MakingEndpoint()

    def make_then_fail(request):
        remember_resource(request, resource="made-1")
        raise RuntimeError("died rendering the answer")

    endpoint.make = make_then_fail
    with pytest.raises(RuntimeError):
        endpoint.send(user)
    row = IdempotencyKey.objects.get()
    assert (row.state, row.resource) == ("in_progress", "made-1")
    assert endpoint.send(user).data == {"made": "made-1"}


def test_a_client_error_is_replayed_like_any_other_answer(user):
    endpoint = Endpoint(respond=lambda runs: Response({"run": runs}, status=409))
    endpoint.send(user)
    replay = endpoint.send(user)
    assert (replay.status_code, replay.data, endpoint.runs) == (409, {"run": 1}, 1)


def test_keys_belong_to_one_client(user):
    endpoint = Endpoint()
    client, _ = api_client_create(name="storefront", user=user)
    someone_else = UserFactory()
    mine = endpoint.send(user)
    theirs = endpoint.send(someone_else)
    by_key = endpoint.send(user, client=client)
    assert [mine.data, theirs.data, by_key.data] == [{"run": 1}, {"run": 2}, {"run": 3}]
    assert set(IdempotencyKey.objects.values_list("client_key", flat=True)) == {
        f"user:{user.pk}",
        f"user:{someone_else.pk}",
        f"client:{client.pk}",
    }


def test_an_overlong_key_is_a_validation_error(user):
    endpoint = Endpoint()
    response = endpoint.send(user, key="k" * 256)
    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"
    assert HEADER in response.data["error"]["message"]
    assert endpoint.runs == 0


def test_purge_keeps_idempotency_keys_for_24_hours():
    fresh = IdempotencyKey.objects.create(client_key="c", key="fresh", fingerprint="x")
    old = IdempotencyKey.objects.create(client_key="c", key="old", fingerprint="x")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [fresh.key]
