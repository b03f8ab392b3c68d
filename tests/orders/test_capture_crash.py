"""A web process killed after it committed an order but before it stored its Idempotency-Key's
response: the client's retry gets the order (201), never 409 `duplicate_order`."""

import http.client
import json
import socket
import sys
import threading

import pytest
from rest_framework.test import APIClient

from oms.models import IdempotencyKey
from orders.models import Order
from orders.services import channel_api_key_create
from tests.concurrency import wait_for
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory
from tests.orders.test_api import order_body
from tests.workers import free_port, kill, process_env, start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _web_process(port: int, mail_url: str, log):
    """`runserver` with no broker and tasks `inline`: they run in the request right after the
    commit, so the confirmation email is sent between the order's commit and the storing of the
    response — and a stalled mail server holds the process exactly there."""
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
    env = process_env(REDIS_URL="", EMAIL_URL=mail_url, OMS_TASK_RUNNER="inline")
    return start([*command, "--noreload", "--skip-checks"], env, log)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _post_in_background(port: int, body: dict, headers: dict) -> tuple[threading.Thread, dict]:
    outcome = {}

    def post():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("POST", "/api/v1/orders/", json.dumps(body), headers)
            outcome["status"] = connection.getresponse().status
        except OSError as error:  # the server died mid-request
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=post)
    thread.start()
    return thread, outcome


def test_a_retry_after_the_server_died_between_commit_and_response_gets_the_order(
    mail_server, tmp_path
):
    channel = SalesChannelFactory(code="web")
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 10)
    _, key = channel_api_key_create(channel=channel)
    body = order_body(external_id="WEB-CRASH-1")
    del body["payment"]
    headers = {
        "Authorization": f"Token {key}",
        "Content-Type": "application/json",
        "Idempotency-Key": "crash-1",
    }
    mail_server.stall_next_message()
    port = free_port()
    log = tmp_path / "runserver.log"
    web = _web_process(port, mail_server.url, log)
    try:
        wait_for(lambda: _listening(port) or web.poll() is not None, timeout=60)
        assert web.poll() is None, log.read_text()
        request, outcome = _post_in_background(port, body, headers)
        # The order is committed and its confirmation is on its way; the response is not stored.
        wait_for(lambda: mail_server.stalled.is_set() or web.poll() is not None, timeout=60)
        assert web.poll() is None, log.read_text()
    finally:
        kill(web)  # The process dies here.
    mail_server.released.set()
    request.join(timeout=30)
    assert "status" not in outcome  # the client never heard back

    order = Order.objects.get()
    assert order.external_id == "WEB-CRASH-1"
    row = IdempotencyKey.objects.get(key="crash-1")
    assert (row.state, row.resource, row.response_body) == ("in_progress", order.number, None)

    retrying = APIClient()
    retrying.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    retry = retrying.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="crash-1")
    assert retry.status_code == 201, retry.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert (retry.json()["number"], retry.json()["external_id"]) == (order.number, "WEB-CRASH-1")
    assert retry.json()["status"] == "ready"
    assert Order.objects.count() == 1

    again = retrying.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="crash-1")
    assert (again.status_code, again.json()) == (201, retry.json())
    row.refresh_from_db()
    assert (row.state, row.response_status, row.response_body) == ("completed", 201, retry.json())
    # The confirmation the dead process was sending is still owed (the sweeper sends it).
    order.refresh_from_db()
    assert order.confirmation_due is True
