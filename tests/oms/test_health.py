import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from oms.health import heartbeat_stale_after
from oms.models import WorkerHeartbeat
from oms.tasks import record_worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_broker_and_workers_to_staff(client, support_user):
    WorkerHeartbeat.objects.create(hostname="celery@box", beat_at=timezone.now())
    client.force_login(support_user)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["workers"]["ok"] is True


@pytest.mark.django_db
def test_anonymous_healthz_shows_only_the_status(client):
    WorkerHeartbeat.objects.create(hostname="celery@box", beat_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert b"celery@box" not in response.content


@pytest.mark.django_db
def test_signed_in_without_a_role_sees_only_the_status(client, no_role_user):
    client.force_login(no_role_user)
    assert set(client.get("/healthz").json()) == {"status"}


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_is_degraded_without_a_recent_heartbeat(client, support_user, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    stale = timezone.now() - heartbeat_stale_after() - timedelta(seconds=5)
    WorkerHeartbeat.objects.create(hostname="celery@gone", beat_at=stale)
    # A load balancer keeps sending traffic (200); the status says what is wrong.
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "degraded"}

    client.force_login(support_user)
    workers = client.get("/healthz").json()["workers"]
    assert workers["ok"] is False
    assert workers["stale_after_seconds"] == 180
    assert workers["heartbeats"] == [
        {"hostname": "celery@gone", "beat_at": stale.isoformat(), "recent": False}
    ]


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_is_degraded_when_no_worker_ever_checked_in(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert client.get("/healthz").json() == {"status": "degraded"}


@pytest.mark.redis
@pytest.mark.django_db
def test_one_recent_heartbeat_among_silent_workers_is_ok(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(
        hostname="celery@old", beat_at=timezone.now() - timedelta(hours=2)
    )
    record_worker_heartbeat.apply(kwargs={})
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_in_process_tasks_need_no_worker(client, manager_user, settings):
    """Without REDIS_URL (`make run` on a bare machine) the web process runs the tasks."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(manager_user)
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["workers"] == {"ok": True, "mode": "in-process", "heartbeats": []}
    page = client.get("/system/status/").content.decode()
    assert "no separate workers" in page


@pytest.mark.redis
@pytest.mark.django_db
def test_system_status_warns_when_workers_are_silent(client, manager_user, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(
        hostname="celery@old", beat_at=timezone.now() - timedelta(hours=2)
    )
    client.force_login(manager_user)
    html = client.get("/system/status/").content.decode()
    assert "degraded" in html
    assert "No worker has sent a heartbeat in the last 180 seconds" in html
    assert "celery@old" in html


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_when_up(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=15) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("postgres://postgres@127.0.0.1:{dead_port}/oms", id="postgresql-down"),
        pytest.param("sqlite:////nonexistent-dir/{dead_port}/oms.sqlite3", id="sqlite-missing"),
    ],
)
def test_healthz_is_503_when_the_database_is_unreachable(database_url):
    port, dead_port = free_port(), free_port()
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "true",
        "DATABASE_URL": database_url.format(dead_port=dead_port),
        "DATABASE_POOL_TIMEOUT": "2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "oms.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        status, body = get_when_up(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.terminate()
        server.wait(timeout=10)
    # Anonymous: the status only (the error text may name hosts).
    assert status == 503
    assert json.loads(body) == {"status": "unavailable"}
