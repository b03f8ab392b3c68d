"""A real Celery worker consumes from Redis and its effect lands in the database."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from oms.celery import app as celery_app
from oms.models import WorkerHeartbeat
from oms.tasks import record_worker_heartbeat
from tests.concurrency import wait_for


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_sent_through_redis():
    # A queue of our own, so parallel test processes sharing the broker never steal it.
    queue = f"test-{uuid.uuid4().hex}"
    celery_app.conf.task_always_eager = False
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=[queue],
        shutdown_timeout=20,
    ):
        record_worker_heartbeat.apply_async(queue=queue)
        heartbeat = wait_for(lambda: WorkerHeartbeat.objects.first())
    # Written by the worker thread, not in-process: the message went through Redis.
    assert heartbeat.hostname != "in-process"
    assert heartbeat.beat_at is not None
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_without_a_worker_tasks_run_in_process():
    record_worker_heartbeat.delay()
    assert WorkerHeartbeat.objects.get().hostname == "in-process"
