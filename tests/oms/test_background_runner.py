"""Without a broker, a web process does its tasks in the background runner (oms/background.py):
a request that owes an email or a webhook answers before the outside party does, the runner
delivers it afterwards, a task that raises does not stop it, and its periodic sweeps do the work
a killed process left owed in the database."""

import http.client
import json
import logging
import socket
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from oms.background import runner, serve
from oms.celery import app as celery_app
from oms.models import WebhookDelivery
from orders.models import Order
from orders.services import channel_api_key_create
from tests.concurrency import wait_for
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import WebhookEndpointFactory
from tests.orders.factories import SalesChannelFactory, capture
from tests.orders.test_api import channel_api, order_body
from tests.workers import free_port, kill, process_env, run_embedded, start

# What the test tasks below saw, in the order they ran.
NOTES: list[tuple] = []


@celery_app.task(name="tests.background.note")
def note(label: str) -> None:
    NOTES.append((label, time.monotonic()))


@celery_app.task(name="tests.background.explode")
def explode() -> None:
    raise RuntimeError("the receiver exploded")


@celery_app.task(bind=True, name="tests.background.flaky", max_retries=1)
def flaky(self) -> None:
    NOTES.append((f"try {self.request.retries}", time.monotonic(), self.request.is_eager))
    if self.request.retries == 0:
        raise self.retry(countdown=0.3)


@pytest.fixture
def background_runner():
    """This process's runner, started by the test; stopped (and the tasks inline again) after."""
    NOTES.clear()
    yield runner
    runner.stop()
    assert not runner.running


@pytest.fixture
def web_store():
    channel = SalesChannelFactory(code="web")
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 10)
    return channel


def capture_body(external_id: str) -> dict:
    body = order_body(external_id=external_id)
    del body["payment"]  # an email and a webhook are enough outside work for these tests
    return body


@pytest.mark.django_db(transaction=True)
def test_a_capture_answers_before_the_mail_server_and_the_runner_sends_the_confirmation(
    background_runner, web_store, mail_server, settings
):
    mail_server.use_for(settings)
    mail_server.stall_next_message()
    background_runner.start(beat_schedule={})

    response = channel_api(web_store).post("/api/v1/orders/", capture_body("WEB-1"))

    assert response.status_code == 201, response.json()
    # The request is over while the runner is still in the middle of handing over the email.
    wait_for(mail_server.stalled.is_set)
    assert mail_server.messages == []
    order = Order.objects.get(number=response.json()["number"])
    assert order.confirmation_due is True
    mail_server.released.set()
    wait_for(lambda: not Order.objects.get(pk=order.pk).confirmation_due)
    assert [(message["To"], message["Subject"]) for message in mail_server.messages] == [
        ("ada@example.com", f"Your order {order.number}")
    ]
    assert order.events.filter(type="email_sent").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_capture_answers_before_a_slow_webhook_receiver_and_the_runner_delivers_it(
    background_runner, web_store, webhook_receiver
):
    WebhookEndpointFactory(url=f"{webhook_receiver.url}/hooks", events=["order.created"])
    webhook_receiver.stall()
    background_runner.start(beat_schedule={})

    response = channel_api(web_store).post("/api/v1/orders/", capture_body("WEB-2"))

    assert response.status_code == 201, response.json()
    wait_for(webhook_receiver.stalled.is_set)
    assert webhook_receiver.requests == []
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING
    webhook_receiver.released.set()
    wait_for(lambda: WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED)
    [request] = webhook_receiver.requests
    assert request.json["event"] == "order.created"
    assert response.json()["number"] in request.body.decode()


def test_a_task_that_raises_is_logged_and_the_runner_goes_on(background_runner, caplog):
    background_runner.start(beat_schedule={})

    explode.delay()
    note.delay("after")

    wait_for(lambda: NOTES)
    assert [label for label, _ in NOTES] == ["after"]
    assert background_runner.running
    [failure] = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "tests.background.explode" in failure.getMessage()
    assert "the receiver exploded" in failure.getMessage()


def test_a_countdown_is_waited_for_and_a_retry_comes_back_later_as_in_a_worker(
    background_runner,
):
    background_runner.start(beat_schedule={})
    sent = time.monotonic()

    note.apply_async(("later",), countdown=0.4)
    note.delay("now")
    flaky.delay()

    wait_for(lambda: len(NOTES) == 4)
    ran_at = {label: at for label, at, *_ in NOTES}
    assert NOTES[0][0] == "now"
    assert ran_at["later"] - sent >= 0.4
    # Run as a worker runs a task, not eagerly: the retry waited for its countdown.
    assert [is_eager for label, _, *is_eager in NOTES if label.startswith("try")] == [
        [False],
        [False],
    ]
    assert ran_at["try 1"] - ran_at["try 0"] >= 0.3


@pytest.mark.django_db(transaction=True)
def test_the_periodic_sweep_sends_a_confirmation_a_killed_process_left_owed(
    background_runner, web_store, mail_server, settings
):
    order = capture(web_store, [("MUG", 1)], email="ada@example.com")
    # Placed an hour ago by a process killed before it sent the confirmation.
    Order.objects.filter(pk=order.pk).update(
        confirmation_due=True, placed_at=timezone.now() - timedelta(hours=1)
    )
    mail_server.use_for(settings)
    settings.OMS_TASK_RUNNER = "background"
    sweep = settings.CELERY_BEAT_SCHEDULE["sweep-confirmations"]
    settings.CELERY_BEAT_SCHEDULE = {"sweep-confirmations": {**sweep, "schedule": 0.2}}

    serve()  # as a web process starts

    assert background_runner.running
    wait_for(lambda: not Order.objects.get(pk=order.pk).confirmation_due)
    assert [message["Subject"] for message in mail_server.messages] == [
        f"Your order {order.number}"
    ]


@pytest.mark.parametrize("task_runner", ["inline", "celery"])
def test_serving_starts_no_runner_unless_the_setting_says_background(
    background_runner, settings, task_runner
):
    settings.OMS_TASK_RUNNER = task_runner
    serve()
    assert not background_runner.running


def test_without_redis_a_web_process_starts_the_runner_and_other_processes_do_not(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from oms.background import runner\n"
        "before = runner.running\n"
        "import oms.wsgi\n"
        "print(before, runner.running)\n"
    )
    result = run_embedded(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_runserver_without_redis_answers_a_capture_while_the_mail_server_stalls(
    web_store, mail_server, tmp_path
):
    _, key = channel_api_key_create(channel=web_store)
    mail_server.stall_next_message()
    port, log = free_port(), tmp_path / "runserver.log"
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
    env = process_env(REDIS_URL="", EMAIL_URL=mail_server.url)
    web = start([*command, "--noreload", "--skip-checks"], env, log)
    try:
        wait_for(lambda: _listening(port) or web.poll() is not None, timeout=60)
        assert web.poll() is None, log.read_text()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
        connection.request("POST", "/api/v1/orders/", json.dumps(capture_body("WEB-3")), headers)
        response = connection.getresponse()
        assert response.status == 201, response.read()
        number = json.loads(response.read())["number"]
        connection.close()

        wait_for(mail_server.stalled.is_set, timeout=30)
        assert mail_server.messages == []
        mail_server.released.set()
        wait_for(lambda: not Order.objects.get(number=number).confirmation_due, timeout=30)
    finally:
        kill(web)
    assert [message["Subject"] for message in mail_server.messages] == [f"Your order {number}"]
